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

	assert.Len(t, Identity().Uncovered(UID, "root", nil), 1, "the identity map given as a custom map needs a grant like any other (issue 12)")
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

// Issue 12: one spelling only; no tab, Unicode space, sign or leading zero.
func TestCheckSyntaxIsStrict(t *testing.T) {
	e, err := CheckSyntax("u 0 100000 65536")
	require.NoError(t, err)
	assert.Equal(t, Entry{UID, 0, 100000, 65536}, e)
	for _, bad := range []string{"u 0 +100000 65536", "u 0 0100000 65536", "u  0 100000 65536", "u\t0 100000 65536",
		"u 0\u00a0100000 65536", "u 0 100000 65536 ", " u 0 100000 65536", "u 0 100000\u200365536", "U 0 100000 65536",
		"u 0 -1 65536", "u 0 1e5 65536", "u 0 100000 0"} {
		_, err := CheckSyntax(bad)
		assert.Error(t, err, "%q", bad)
	}
}

// The kernel takes 340 extents per kind; past that the map is refused
// without comparing entries, and the check stays fast for any size.
func TestValidateLimitsAndOverlaps(t *testing.T) {
	var big Set
	for i := int64(0); i < 65536; i++ {
		big = append(big, Entry{UID, i, 100000 + i, 1}, Entry{GID, i, 100000 + i, 1})
	}
	errs := big.Validate()
	require.Len(t, errs, 2)
	assert.Contains(t, errs[0].Error(), "65536 uid entries: the kernel takes at most 340")

	var many Set
	for i := int64(0); i < 340; i++ {
		many = append(many, Entry{UID, i * 200, 100000 + i*200, 200}, Entry{GID, i * 200, 100000 + i*200, 200})
	}
	assert.Empty(t, many.Validate(), "340 adjacent extents per kind cover 0..67999 without overlap")

	ov, _ := Parse([]string{"u 0 100000 65536", "u 10 300000 5", "g 0 100000 65536", "g 70000 100010 5"})
	var msgs []string
	for _, e := range ov.Validate() {
		msgs = append(msgs, e.Error())
	}
	assert.Contains(t, msgs, `entries "u 0 100000 65536" and "u 10 300000 5" overlap on the container side`)
	assert.Contains(t, msgs, `entries "g 0 100000 65536" and "g 70000 100010 5" overlap on the host side`)
}
