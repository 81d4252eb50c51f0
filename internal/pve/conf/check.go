package conf

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Check reports what pct would warn about or refuse in a conf file, with
// line numbers: everything Parse warns about (unparsable lines, unknown
// keys, bad values and property strings, rejected raw keys, delete
// outside [pve:pending]), values that `pct set` would refuse (enums,
// ranges), lxc.idmap entries that do not parse, overlap (pct's
// validate_id_maps text) or leave container ids 0..65535 unmapped, and
// things that silently change on a pct write (duplicate keys or sections,
// a CR kept inside a comment line).
func Check(data []byte) []Warning {
	p := parse(data)
	ws := append([]Warning(nil), p.warns...)
	ws = append(ws, p.dupSec...)
	seen := map[*Section]map[string]int{}
	idmaps := map[*Section][]lineInfo{}
	var order []*Section
	for _, li := range p.lines {
		if li.raw {
			if li.key == "lxc.idmap" {
				if idmaps[li.sec] == nil {
					order = append(order, li.sec)
				}
				idmaps[li.sec] = append(idmaps[li.sec], li)
			}
			continue
		}
		if seen[li.sec] == nil {
			seen[li.sec] = map[string]int{}
		}
		if first, ok := seen[li.sec][li.key]; ok {
			ws = append(ws, Warning{li.line, fmt.Sprintf("key '%s' is set again (first on line %d): pct keeps only the last value", li.key, first)})
		}
		seen[li.sec][li.key] = li.line
		if v, err := checkType(li.key, li.value); err == nil {
			if err := checkRange(li.key, v); err != nil {
				ws = append(ws, Warning{li.line, fmt.Sprintf("invalid value of '%s' - %v", li.key, err)})
			}
		}
	}
	for _, sec := range order {
		ws = append(ws, checkIDMap(idmaps[sec])...)
	}
	for i, l := range bytes.Split(data, []byte("\n")) {
		if bytes.HasPrefix(l, []byte("#")) && bytes.HasSuffix(l, []byte("\r")) {
			ws = append(ws, Warning{i + 1, "comment line ends with CR (Windows line ending): pct keeps it as %0D in the description"})
		}
	}
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].Line < ws[j].Line })
	return ws
}

// idEntry is one parsed lxc.idmap line.
type idEntry struct {
	line            int
	kind            string
	ct, host, count int64
	text            string
}

// checkIDMap checks one section's lxc.idmap lines as pct's parse_id_maps
// and validate_id_maps do, and also that each kind covers container ids
// 0..65535 without a gap.
func checkIDMap(lines []lineInfo) []Warning {
	var ws []Warning
	var es []idEntry
	for _, li := range lines {
		f := strings.Fields(li.value)
		var n [3]int64
		ok := len(f) == 4 && (f[0] == "u" || f[0] == "g")
		for i := 0; ok && i < 3; i++ {
			var err error
			n[i], err = strconv.ParseInt(f[i+1], 10, 64)
			ok = err == nil && reInt.MatchString(f[i+1])
		}
		if !ok {
			ws = append(ws, Warning{li.line, "failed to parse idmap: " + li.value})
			continue
		}
		es = append(es, idEntry{li.line, f[0], n[0], n[1], n[2], strings.Join(f, " ")})
	}
	for _, kind := range []string{"u", "g"} {
		var k []idEntry
		for _, e := range es {
			if e.kind == kind {
				k = append(k, e)
			}
		}
		for _, side := range []string{"container", "host"} {
			start := func(e idEntry) int64 {
				if side == "container" {
					return e.ct
				}
				return e.host
			}
			s := append([]idEntry(nil), k...)
			sort.SliceStable(s, func(i, j int) bool { return start(s[i]) < start(s[j]) })
			// pct compares neighbours and stops at the first conflict;
			// comparing each entry with the earlier one that reaches
			// furthest finds that same conflict and every later one.
			for i := 1; i < len(s); i++ {
				reach, cur := s[i-1], s[i]
				if start(reach)+reach.count > start(cur) {
					ws = append(ws, Warning{cur.line, fmt.Sprintf("invalid map entry '%s': %s %sid %d is also mapped by entry '%s'",
						cur.text, side, kind, start(cur), reach.text)})
				}
				if start(reach)+reach.count > start(cur)+cur.count {
					s[i] = reach // carry the furthest-reaching entry forward
				}
			}
		}
		if gap := firstGap(k); gap >= 0 && len(lines) > 0 {
			at := lines[0].line
			if len(k) > 0 {
				at = k[0].line
			}
			ws = append(ws, Warning{at, fmt.Sprintf("container %sid %d is not mapped: lxc.idmap entries must cover container %sids 0-65535", kind, gap, kind)})
		}
	}
	return ws
}

// firstGap returns the lowest container id below 65536 that no entry
// maps, or -1.
func firstGap(es []idEntry) int64 {
	s := append([]idEntry(nil), es...)
	sort.Slice(s, func(i, j int) bool { return s[i].ct < s[j].ct })
	next := int64(0)
	for _, e := range s {
		if e.ct > next {
			break
		}
		next = max(next, e.ct+e.count)
	}
	if next >= 65536 {
		return -1
	}
	return next
}
