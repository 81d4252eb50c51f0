package idmap

import (
	"strings"
	"testing"
)

// FuzzParseEntry: whatever a line holds, a parsed entry formats back to a
// line that parses to the same entry, stays within MaxID, and maps exactly
// its own range.
func FuzzParseEntry(f *testing.F) {
	for _, s := range []string{"u 0 100000 65536", "g 1000 1000 1", " u  1 2 3 ", "u 0 0 4294967295",
		"u 0 4294967294 1", "u -1 0 1", "x 0 0 1", "u 0 0 0", "u 0 100000 65536 9", "u\t0\t1\t2", "u 00 +1 2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseEntry(s)
		if err != nil {
			return
		}
		again, err := ParseEntry(e.String())
		if err != nil || again != e {
			t.Fatalf("%q parsed to %v, which formats to %q and parses to %v, %v", s, e, e.String(), again, err)
		}
		if e.Count < 1 || e.ContainerID+e.Count-1 > MaxID || e.HostID+e.Count-1 > MaxID {
			t.Fatalf("%q: entry %v is out of range", s, e)
		}
		set := Set{e}
		for _, id := range []int64{e.ContainerID, e.ContainerID + e.Count - 1} {
			h, ok := set.ToHost(e.Kind, id)
			if !ok || h != e.HostID+(id-e.ContainerID) {
				t.Fatalf("%v: ToHost(%d) = %d, %v", e, id, h, ok)
			}
		}
		if _, ok := set.ToHost(e.Kind, e.ContainerID+e.Count); ok {
			t.Fatalf("%v maps the id just past its range", e)
		}
		other := GID
		if e.Kind == GID {
			other = UID
		}
		if _, ok := set.ToHost(other, e.ContainerID); ok {
			t.Fatalf("%v maps an id of the other kind", e)
		}
	})
}

// FuzzSetRoundTrip: a set given as lines (separated by ';') formats and
// parses back equal; Normalize is idempotent and keeps the mapping; the
// /proc layout round-trips per kind.
func FuzzSetRoundTrip(f *testing.F) {
	f.Add("u 0 100000 65536;g 0 100000 65536")
	f.Add("u 0 100000 1000;g 0 100000 1000;u 1000 1000 1;g 1000 1000 1;u 1001 101001 64535;g 1001 101001 64535")
	f.Add("u 10 110 5;u 0 100 10;u 15 115 1")
	f.Add("g 5 5 1;g 5 5 1")
	f.Fuzz(func(t *testing.T, lines string) {
		s, err := Parse(strings.Split(lines, ";"))
		if err != nil {
			return
		}
		again, err := Parse(s.Strings())
		if err != nil || !again.Equal(s) || len(again) != len(s) {
			t.Fatalf("%v does not round-trip: %v, %v", s, again, err)
		}
		n := s.Normalize()
		nn := n.Normalize()
		if len(nn) != len(n) {
			t.Fatalf("Normalize is not idempotent: %v then %v", n, nn)
		}
		for i := range nn {
			if nn[i] != n[i] {
				t.Fatalf("Normalize is not idempotent: %v then %v", n, nn)
			}
		}
		if len(s.Validate()) == 0 {
			// Without overlaps, normalising must not change where any id maps.
			for _, e := range s {
				for _, id := range []int64{e.ContainerID, e.ContainerID + e.Count/2, e.ContainerID + e.Count - 1} {
					a, okA := s.ToHost(e.Kind, id)
					b, okB := n.ToHost(e.Kind, id)
					if a != b || okA != okB {
						t.Fatalf("%v: id %c%d maps to %d,%v before Normalize and %d,%v after", s, e.Kind, id, a, okA, b, okB)
					}
				}
			}
		}
		for _, k := range []Kind{UID, GID} {
			p, err := ParseProc(k, s.FormatProc(k))
			if err != nil {
				t.Fatalf("FormatProc(%c) of %v does not parse: %v", k, s, err)
			}
			var want Set
			for _, e := range s {
				if e.Kind == k {
					want = append(want, e)
				}
			}
			if len(p) != len(want) || !p.Equal(want) {
				t.Fatalf("proc round trip of %c: %v, want %v", k, p, want)
			}
		}
	})
}
