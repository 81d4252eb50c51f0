package conf

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
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

// checkIDMap checks one section's lxc.idmap lines with internal/idmap's
// rules, worded as pct's parse_id_maps and validate_id_maps word them, at
// the line of the entry each is found at; a map must also cover container
// ids 0..65535 of each kind.
func checkIDMap(lines []lineInfo) []Warning {
	var ws []Warning
	var set idmap.Set
	var at []int // the line of each entry of set
	for _, li := range lines {
		e, err := idmap.ParseEntry(li.value)
		if err != nil {
			ws = append(ws, Warning{li.line, "failed to parse idmap: " + li.value})
			continue
		}
		set, at = append(set, e), append(at, li.line)
	}
	for _, f := range set.Findings() {
		if f.Side != "" {
			ws = append(ws, Warning{at[f.At], fmt.Sprintf("invalid map entry '%s': %s %cid %d is also mapped by entry '%s'",
				set[f.At], f.Side, f.Kind, f.ID, set[f.Other])})
			continue
		}
		line := lines[0].line
		if f.At >= 0 {
			line = at[f.At]
		}
		ws = append(ws, Warning{line, fmt.Sprintf("container %cid %d is not mapped: lxc.idmap entries must cover container %cids 0-65535", f.Kind, f.ID, f.Kind)})
	}
	return ws
}
