// Package idmap holds user-namespace id maps as typed data: entries in
// lxc.idmap syntax, sets of them, and the checks the idmap gate needs
// (coverage, overlap, mapping container ids to host ids, subuid grants).
package idmap

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Kind says whether an entry maps user ids or group ids.
type Kind byte

const (
	UID Kind = 'u'
	GID Kind = 'g'
)

// Entry maps Count ids starting at ContainerID onto HostID.
type Entry struct {
	Kind        Kind
	ContainerID int64
	HostID      int64
	Count       int64
}

// String is the lxc.idmap form: "u 0 100000 65536".
func (e Entry) String() string {
	return fmt.Sprintf("%c %d %d %d", e.Kind, e.ContainerID, e.HostID, e.Count)
}

// MaxID is the largest id a user namespace can map (2^32-2).
const MaxID = 4294967294

// ParseEntry reads one lxc.idmap value.
func ParseEntry(s string) (Entry, error) {
	f := strings.Fields(s)
	if len(f) != 4 || (f[0] != "u" && f[0] != "g") {
		return Entry{}, fmt.Errorf("id map entry %q: want \"u|g <container id> <host id> <count>\"", s)
	}
	var n [3]int64
	for i, x := range f[1:] {
		v, err := strconv.ParseInt(x, 10, 64)
		if err != nil || v < 0 || v > MaxID+int64(i/2) { // a count may be MaxID+1: "0 0 4294967295" is the identity map
			return Entry{}, fmt.Errorf("id map entry %q: %q is not an id between 0 and %d", s, x, MaxID)
		}
		n[i] = v
	}
	e := Entry{Kind: Kind(f[0][0]), ContainerID: n[0], HostID: n[1], Count: n[2]}
	if e.Count == 0 {
		return Entry{}, fmt.Errorf("id map entry %q: count must be at least 1", s)
	}
	if e.ContainerID+e.Count-1 > MaxID || e.HostID+e.Count-1 > MaxID {
		return Entry{}, fmt.Errorf("id map entry %q: range ends past id %d", s, MaxID)
	}
	return e, nil
}

// Set is an id map: uid and gid entries.
type Set []Entry

// Parse reads lxc.idmap values, one per element.
func Parse(lines []string) (Set, error) {
	var s Set
	for _, l := range lines {
		e, err := ParseEntry(l)
		if err != nil {
			return nil, err
		}
		s = append(s, e)
	}
	return s, nil
}

// Default is Proxmox's map for an unprivileged container.
func Default() Set {
	return Set{{UID, 0, 100000, 65536}, {GID, 0, 100000, 65536}}
}

// Identity is the map of a privileged container: every id is itself.
func Identity() Set {
	return Set{{UID, 0, 0, MaxID + 1}, {GID, 0, 0, MaxID + 1}}
}

// Strings renders each entry in lxc.idmap syntax.
func (s Set) Strings() []string {
	out := make([]string, len(s))
	for i, e := range s {
		out[i] = e.String()
	}
	return out
}

// Normalize sorts entries (u before g, by container id) and merges ranges
// that continue each other on both sides.
func (s Set) Normalize() Set {
	c := append(Set(nil), s...)
	sort.Slice(c, func(i, j int) bool {
		if c[i].Kind != c[j].Kind {
			return c[i].Kind == UID
		}
		if c[i].ContainerID != c[j].ContainerID {
			return c[i].ContainerID < c[j].ContainerID
		}
		if c[i].HostID != c[j].HostID {
			return c[i].HostID < c[j].HostID
		}
		return c[i].Count < c[j].Count
	})
	var out Set
	for _, e := range c {
		if n := len(out); n > 0 {
			p := &out[n-1]
			if p.Kind == e.Kind && p.ContainerID+p.Count == e.ContainerID && p.HostID+p.Count == e.HostID {
				p.Count += e.Count
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// Equal compares two maps after normalising them.
func (s Set) Equal(o Set) bool {
	a, b := s.Normalize(), o.Normalize()
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ToHost maps a container id of the given kind to its host id.
func (s Set) ToHost(k Kind, id int64) (int64, bool) {
	for _, e := range s {
		if e.Kind == k && id >= e.ContainerID && id < e.ContainerID+e.Count {
			return e.HostID + (id - e.ContainerID), true
		}
	}
	return 0, false
}

// MaxExtents is how many entries of one kind a user namespace takes
// (kernel/user_namespace.c, UID_GID_MAP_MAX_EXTENTS, since Linux 4.15).
const MaxExtents = 340

// Validate reports too many entries of a kind, overlaps on either side,
// and container ids 0..65535 of either kind that the map leaves unmapped.
// It sorts, so it takes O(n log n) for n entries.
func (s Set) Validate() []error {
	var errs []error
	skip := map[Kind]bool{}
	for _, k := range []Kind{UID, GID} {
		if n := s.count(k); n > MaxExtents {
			errs = append(errs, fmt.Errorf("%d %cid entries: the kernel takes at most %d per kind", n, k, MaxExtents))
			skip[k] = true
		}
	}
	for _, f := range s.Findings() {
		switch {
		case skip[f.Kind]:
		case f.Side != "":
			errs = append(errs, fmt.Errorf("entries %q and %q overlap on the %s side", s[f.Other], s[f.At], f.Side))
		default:
			errs = append(errs, fmt.Errorf("%cid %d is not mapped (container ids 0..65535 must all be mapped)", f.Kind, f.ID))
		}
	}
	return errs
}

func (s Set) count(k Kind) int {
	n := 0
	for _, e := range s {
		if e.Kind == k {
			n++
		}
	}
	return n
}

// Finding is one problem of a map, by index into the set as given, so
// that a caller can name the line it came from (conf check does).
type Finding struct {
	Kind Kind
	// Side is "container" or "host" for an overlap: entry At maps ID on
	// that side, which entry Other maps too. It is "" for a gap: ID, a
	// container id below 65536, is mapped by no entry; At is then the
	// kind's first entry, -1 when it has none, and Other is -1.
	Side      string
	ID        int64
	At, Other int
}

// Findings are the map's overlaps, on either side, and its first unmapped
// container id below 65536, for uids then gids. The one implementation of
// these rules: Validate words them for a spec, conf check for a conf file.
func (s Set) Findings() []Finding {
	var out []Finding
	for _, k := range []Kind{UID, GID} {
		var idx []int
		for i, e := range s {
			if e.Kind == k {
				idx = append(idx, i)
			}
		}
		for _, side := range []string{"container", "host"} {
			start := func(i int) int64 {
				if side == "container" {
					return s[i].ContainerID
				}
				return s[i].HostID
			}
			sorted := append([]int(nil), idx...)
			sort.SliceStable(sorted, func(a, b int) bool { return start(sorted[a]) < start(sorted[b]) })
			// Sorted by their start on this side, an entry overlaps the
			// earlier one that reaches furthest (far), if any does.
			for j := 1; j < len(sorted); j++ {
				far, cur := sorted[j-1], sorted[j]
				if start(cur) < start(far)+s[far].Count {
					out = append(out, Finding{Kind: k, Side: side, ID: start(cur), At: cur, Other: far})
				}
				if start(far)+s[far].Count > start(cur)+s[cur].Count {
					sorted[j] = far // carry the furthest-reaching entry forward
				}
			}
		}
		if gap := s.firstGap(k, 65536); gap >= 0 {
			at := -1
			if len(idx) > 0 {
				at = idx[0]
			}
			out = append(out, Finding{Kind: k, ID: gap, At: at, Other: -1})
		}
	}
	return out
}

// strictEntry is the one spelling of an entry a spec may use: "u" or "g",
// then three decimal numbers without sign or leading zeros, single ASCII
// spaces between.
var strictEntry = regexp.MustCompile(`^[ug]( (0|[1-9][0-9]{0,9})){3}$`)

// CheckSyntax refuses any other spelling of an entry than strictEntry
// (tabs, Unicode spaces, "+100000", "0100000"), then parses it.
func CheckSyntax(line string) (Entry, error) {
	if !strictEntry.MatchString(line) {
		return Entry{}, fmt.Errorf("id map entry %q: write it as \"u|g <container id> <host id> <count>\", decimal numbers separated by single spaces", line)
	}
	return ParseEntry(line)
}

// firstGap returns the lowest id below limit that no entry of kind k maps, or -1.
func (s Set) firstGap(k Kind, limit int64) int64 {
	var es Set
	for _, e := range s {
		if e.Kind == k {
			es = append(es, e)
		}
	}
	sort.Slice(es, func(i, j int) bool { return es[i].ContainerID < es[j].ContainerID })
	next := int64(0)
	for _, e := range es {
		if e.ContainerID > next {
			return next
		}
		if end := e.ContainerID + e.Count; end > next {
			next = end
		}
		if next >= limit {
			return -1
		}
	}
	if next >= limit {
		return -1
	}
	return next
}

// Grant is one line of /etc/subuid or /etc/subgid.
type Grant struct {
	User  string
	Start int64
	Count int64
}

// Grants is what the host grants root for user namespaces, read once at the
// edge (the module) from /etc/subuid and /etc/subgid: the files, their
// grants, and why one could not be read.
type Grants struct {
	Files [2]string  // uid file, gid file
	Lists [2][]Grant // their grants
	Errs  [2]error   // why a file could not be read, nil when it was
}

// ReadGrants reads the uid and gid grant files.
func ReadGrants(uidFile, gidFile string) Grants {
	g := Grants{Files: [2]string{uidFile, gidFile}}
	for i, f := range g.Files {
		data, err := os.ReadFile(f)
		g.Lists[i], g.Errs[i] = ParseGrants(string(data)), err
	}
	return g
}

// Of is the index of kind k in Files, Lists and Errs.
func (Grants) Of(k Kind) int {
	if k == GID {
		return 1
	}
	return 0
}

// ParseGrants reads /etc/subuid or /etc/subgid content.
func ParseGrants(data string) []Grant {
	var out []Grant
	for _, l := range strings.Split(data, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Split(l, ":")
		if len(f) != 3 {
			continue
		}
		a, err1 := strconv.ParseInt(f[1], 10, 64)
		b, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, Grant{f[0], a, b})
	}
	return out
}

// Uncovered returns the entries of kind k whose host range is not granted to
// user by grants (ranges may be split over several grants).
func (s Set) Uncovered(k Kind, user string, grants []Grant) []Entry {
	var out []Entry
	for _, e := range s {
		if e.Kind != k {
			continue
		}
		if !covered(e.HostID, e.Count, user, grants) {
			out = append(out, e)
		}
	}
	return out
}

func covered(start, count int64, user string, grants []Grant) bool {
	next, end := start, start+count
	for progress := true; progress && next < end; {
		progress = false
		for _, g := range grants {
			if g.User == user && g.Start <= next && next < g.Start+g.Count {
				next = g.Start + g.Count
				progress = true
			}
		}
	}
	return next >= end
}

// ParseProc reads /proc/<pid>/uid_map (or gid_map) content: lines of
// "container host count".
func ParseProc(k Kind, data string) (Set, error) {
	var s Set
	for _, l := range strings.Split(strings.TrimSpace(data), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		e, err := ParseEntry(string(k) + " " + strings.Join(f, " "))
		if err != nil {
			return nil, fmt.Errorf("%cid_map: %w", k, err)
		}
		s = append(s, e)
	}
	return s, nil
}

// FormatProc renders the entries of kind k in /proc/<pid>/uid_map layout.
func (s Set) FormatProc(k Kind) string {
	var b strings.Builder
	for _, e := range s {
		if e.Kind == k {
			fmt.Fprintf(&b, "%10d %10d %10d\n", e.ContainerID, e.HostID, e.Count)
		}
	}
	return b.String()
}
