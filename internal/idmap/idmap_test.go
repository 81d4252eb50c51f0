package idmap

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseEntryErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "want \"u|g"},
		{"u 0 100000", "want \"u|g"},
		{"u 0 100000 65536 1", "want \"u|g"},
		{"x 0 100000 65536", "want \"u|g"},
		{"U 0 100000 65536", "want \"u|g"},
		{"u -1 100000 65536", "is not an id"},
		{"u 0 0x10 65536", "is not an id"},
		{"u 0 1.5 65536", "is not an id"},
		{"u 0 4294967295 1", "is not an id"},
		{"u 0 100000 0", "count must be at least 1"},
		{"u 0 4294967290 65536", "range ends past"},
		{"g 4294967290 0 65536", "range ends past"},
	} {
		_, err := ParseEntry(c.in)
		if assert.Error(t, err, c.in) {
			assert.Contains(t, err.Error(), c.want, c.in)
			assert.Contains(t, err.Error(), "id map entry", "the message says what was being read")
		}
	}
	e, err := ParseEntry("  g\t1000  1000 1 ")
	require.NoError(t, err)
	assert.Equal(t, Entry{GID, 1000, 1000, 1}, e)
	_, err = ParseEntry("u 0 4294967294 1")
	assert.NoError(t, err, "the last id can be mapped")
	_, err = ParseEntry("u 0 0 4294967296")
	assert.Error(t, err, "a count past every id")
}

// The kernel shows a process outside any user namespace (a privileged
// container) as "0 0 4294967295": that must read as the identity map.
func TestIdentityMapParses(t *testing.T) {
	s, err := ParseProc(UID, "         0          0 4294967295\n")
	require.NoError(t, err)
	assert.True(t, s.Equal(Set{Identity()[0]}))
	back, err := Parse(Identity().Strings())
	require.NoError(t, err)
	assert.True(t, back.Equal(Identity()))
}

func TestValidateOverlapsAndGaps(t *testing.T) {
	for _, c := range []struct {
		name  string
		lines []string
		want  []string // substrings, one per expected error; none: valid
	}{
		{"default", Default().Strings(), nil},
		{"passthrough", []string{"u 0 100000 1000", "g 0 100000 1000", "u 1000 1000 1", "g 1000 1000 1", "u 1001 101001 64535", "g 1001 101001 64535"}, nil},
		{"identity", Identity().Strings(), nil},
		{"split out of order", []string{"u 1000 101000 64536", "u 0 100000 1000", "g 0 100000 65536"}, nil},
		{"container side overlap", []string{"u 0 100000 65536", "u 1000 1000 1", "g 0 100000 65536"}, []string{"overlap on the container side"}},
		{"host side overlap", []string{"u 0 100000 1000", "u 1000 100999 64536", "g 0 100000 65536"}, []string{"overlap on the host side"}},
		{"both sides", []string{"u 0 100000 65536", "u 0 100000 65536", "g 0 100000 65536"}, []string{"container side", "host side"}},
		{"gap in uids", []string{"u 0 100000 1000", "u 1001 101001 64535", "g 0 100000 65536"}, []string{"uid 1000 is not mapped"}},
		{"too short", []string{"u 0 100000 65535", "g 0 100000 65536"}, []string{"uid 65535 is not mapped"}},
		{"starts late", []string{"u 0 100000 65536", "g 1 100001 65535"}, []string{"gid 0 is not mapped"}},
		{"no gids", []string{"u 0 100000 65536"}, []string{"gid 0 is not mapped"}},
		{"same ranges, other kinds", []string{"u 0 100000 65536", "g 0 100000 65536"}, nil},
	} {
		s, err := Parse(c.lines)
		require.NoError(t, err, c.name)
		errs := s.Validate()
		require.Len(t, errs, len(c.want), "%s: %v", c.name, errs)
		for i, w := range c.want {
			assert.Contains(t, errs[i].Error(), w, c.name)
		}
	}
}

func TestUncoveredAgainstGrants(t *testing.T) {
	grants := ParseGrants("# comment\nroot:100000:1000\n\nroot:101000:64536\nroot:1000:1\nbob:200000:65536\nroot:bad:1\nbroken line\n")
	assert.Len(t, grants, 4, "comments, blank and malformed lines are skipped")
	pass, err := Parse([]string{"u 0 100000 1000", "g 0 100000 1000", "u 1000 1000 1", "g 1000 1000 1", "u 1001 101001 64535", "g 1001 101001 64535"})
	require.NoError(t, err)
	assert.Empty(t, pass.Uncovered(UID, "root", grants), "ranges split over several grant lines are covered")
	assert.Empty(t, Default().Uncovered(GID, "root", grants))

	wide, _ := Parse([]string{"u 0 100000 65537", "g 0 200000 65536"})
	assert.Equal(t, []Entry{{UID, 0, 100000, 65537}}, wide.Uncovered(UID, "root", grants), "one id past the grant")
	assert.Equal(t, []Entry{{GID, 0, 200000, 65536}}, wide.Uncovered(GID, "root", grants), "another user's grant does not count")
	assert.Equal(t, wide.Uncovered(GID, "bob", grants), []Entry(nil))

	assert.Empty(t, Identity().Uncovered(UID, "root", nil), "a privileged container needs no grant")
	assert.Len(t, Default().Uncovered(UID, "root", nil), 1, "no grants at all")
}

func TestProcRoundTrip(t *testing.T) {
	pass, _ := Parse([]string{"u 0 100000 1000", "g 0 100000 1000", "u 1000 1000 1", "g 1000 1000 1", "u 1001 101001 64535", "g 1001 101001 64535"})
	text := pass.FormatProc(UID)
	assert.Equal(t, "         0     100000       1000\n      1000       1000          1\n      1001     101001      64535\n", text, "kernel layout")
	back, err := ParseProc(UID, text)
	require.NoError(t, err)
	assert.Equal(t, Set{{UID, 0, 100000, 1000}, {UID, 1000, 1000, 1}, {UID, 1001, 101001, 64535}}, back)
	g, err := ParseProc(GID, "0 100000 65536")
	require.NoError(t, err)
	assert.True(t, g.Equal(Set{{GID, 0, 100000, 65536}}))
	empty, err := ParseProc(UID, "")
	assert.NoError(t, err)
	assert.Empty(t, empty, "a stopped container's empty map")
	_, err = ParseProc(GID, "0 100000")
	assert.ErrorContains(t, err, "gid_map")
}

func TestEqualAfterNormalize(t *testing.T) {
	split, _ := Parse([]string{"g 1000 101000 64536", "u 0 100000 10", "g 0 100000 1000", "u 10 100010 65526"})
	assert.True(t, split.Equal(Default()), "adjacent ranges merge, order does not matter")
	assert.Equal(t, Default(), split.Normalize())
	assert.Equal(t, []string{"u 0 100000 65536", "g 0 100000 65536"}, split.Normalize().Strings())

	shifted, _ := Parse([]string{"u 0 100000 10", "u 10 100011 65526", "g 0 100000 65536"})
	assert.False(t, shifted.Equal(Default()), "a range continuing on the container side only does not merge")
	assert.Len(t, shifted.Normalize(), 3)
	assert.False(t, Default().Equal(Identity()))
	assert.False(t, Default().Equal(Set{{UID, 0, 100000, 65536}}))
}

func TestToHost(t *testing.T) {
	pass, _ := Parse([]string{"u 0 100000 1000", "u 1000 1000 1", "u 1001 101001 64535", "g 0 100000 65536"})
	for _, c := range []struct {
		k    Kind
		id   int64
		host int64
		ok   bool
	}{
		{UID, 0, 100000, true}, {UID, 999, 100999, true}, {UID, 1000, 1000, true}, {UID, 1001, 101001, true},
		{UID, 65535, 165535, true}, {UID, 65536, 0, false}, {GID, 1000, 101000, true}, {UID, -1, 0, false},
	} {
		h, ok := pass.ToHost(c.k, c.id)
		assert.Equal(t, c.ok, ok, "%c%d", c.k, c.id)
		assert.Equal(t, c.host, h, "%c%d", c.k, c.id)
	}
	assert.True(t, strings.HasPrefix(Entry{UID, 0, 100000, 65536}.String(), "u 0 100000"))
}
