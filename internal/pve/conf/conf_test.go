package conf

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/cases/*.want.conf from the current output")

// The spec's example files (pct-spec.md §2.9) are already canonical, so
// pct would write them back byte for byte.
func TestSpecExamplesAreCanonical(t *testing.T) {
	files, _ := filepath.Glob("testdata/spec_*.conf")
	require.Len(t, files, 5)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		c, warns := Parse(data)
		assert.Empty(t, warns, f)
		assert.Equal(t, string(data), string(c.Bytes()), f)
	}
}

// Each hand-written conf gives pct's canonical output.
func TestCasesGiveCanonicalForm(t *testing.T) {
	ins, _ := filepath.Glob("testdata/cases/*.in.conf")
	require.GreaterOrEqual(t, len(ins), 30)
	for _, in := range ins {
		name := strings.TrimSuffix(filepath.Base(in), ".in.conf")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(in)
			require.NoError(t, err)
			got := Fmt(data)
			wantFile := strings.TrimSuffix(in, ".in.conf") + ".want.conf"
			if *update {
				require.NoError(t, os.WriteFile(wantFile, got, 0o644))
			}
			want, err := os.ReadFile(wantFile)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
			// The canonical form is a fixed point.
			assert.Equal(t, string(got), string(Fmt(got)), "fmt of the output changes it again")
		})
	}
}

func TestSpecCStructure(t *testing.T) {
	data, err := os.ReadFile("testdata/spec_c.conf")
	require.NoError(t, err)
	c, _ := Parse(data)
	require.NotNil(t, c.Pending)
	v, _ := c.Pending.Get("delete")
	assert.Equal(t, "swap", v)
	require.Len(t, c.Snapshots, 2)
	assert.Equal(t, "before upgrade\n", c.Snapshot("snap1").Description)
	p, _ := c.Snapshot("snap2").Get("parent")
	assert.Equal(t, "snap1", p)
	assert.Nil(t, c.Snapshot("nope"))
}

func TestSpecBIdmapInMain(t *testing.T) {
	data, err := os.ReadFile("testdata/spec_b.conf")
	require.NoError(t, err)
	c, _ := Parse(data)
	assert.Equal(t, "Jellyfin: media library mounted from host\n", c.Main.Description)
	assert.Equal(t, []string{"u 0 100000 1005", "u 1005 1005 1", "u 1006 101006 64530"}[0], c.Main.RawValues("lxc.idmap")[0])
	assert.Len(t, c.Main.RawValues("lxc.idmap"), 6)
}

func TestSectionEdits(t *testing.T) {
	c, _ := Parse([]byte("memory: 512\nlxc.apparmor.profile: unconfined\nlxc.idmap: u 0 1 1\nlxc.cap.drop: x\nlxc.idmap: g 0 1 1\n\n[s1]\nmemory: 256\n"))
	c.Main.Set("memory", "1024")
	c.Main.Set("cores", "2")
	assert.True(t, c.Main.Delete("cores"))
	assert.False(t, c.Main.Delete("cores"))
	c.Main.SetRaw("lxc.idmap", []string{"u 0 100000 65536", "g 0 100000 65536"})
	want := "memory: 1024\nlxc.apparmor.profile: unconfined\nlxc.idmap: u 0 100000 65536\nlxc.idmap: g 0 100000 65536\nlxc.cap.drop: x\n\n[s1]\nmemory: 256\n"
	assert.Equal(t, want, string(c.Bytes()))

	c.Main.SetRaw("lxc.mount.entry", []string{"/a b none bind 0 0"})
	assert.Equal(t, []string{"/a b none bind 0 0"}, c.Main.RawValues("lxc.mount.entry"))
	assert.Equal(t, "lxc.mount.entry", c.Main.Raw[len(c.Main.Raw)-1].Key, "a new raw key goes at the end")
	c.Main.SetRaw("lxc.idmap", nil)
	assert.Empty(t, c.Main.RawValues("lxc.idmap"))
}

func TestDescriptionEncoding(t *testing.T) {
	for plain, enc := range map[string]string{
		"foo: bar":       "foo%3A bar",
		"100% sure":      "100%25 sure",
		"été ✓":          "%C3%A9t%C3%A9 %E2%9C%93",
		"tab\there\r":    "tab%09here%0D",
		"a~b{}|\\^`'\"!": "a~b{}|\\^`'\"!",
	} {
		assert.Equal(t, enc, EncodeDescription(plain))
		assert.Equal(t, plain, DecodeDescription(enc))
	}
	assert.Equal(t, "50% :", DecodeDescription("50%25 %3a"))
	assert.Equal(t, "%2 %zz %", DecodeDescription("%2 %zz %"), "incomplete escapes stay literal")
}

func TestParseWarningsUsePctWords(t *testing.T) {
	_, warns := Parse([]byte("memory: abc\nbogus line\nonboot: maybe\nfoo: 1\ndelete: x\nlxc.rootfs.path: /x\nlxc.bogus: 1\n"))
	assert.Equal(t, []Warning{
		{1, "unable to parse value of 'memory' - type check ('integer') failed - got 'abc'"},
		{2, "unable to parse config: bogus line"},
		{3, "unable to parse value of 'onboot' - type check ('boolean') failed - got 'maybe'"},
		{4, "unable to parse value of 'foo' - unknown setting 'foo'"},
		{5, "property 'delete' is only allowed in [pve:pending]"},
		{6, "lxc.rootfs.path: lxc.rootfs.path is auto generated from rootfs"},
		{7, "unable to parse config: lxc.bogus: 1"},
	}, warns)
}

// pve-container src/PVE/LXC/Config.pm write_pct_config writes
// "[pve:pending]" when keys %{$conf->{pending}} is not empty, and an
// empty '#' line makes description "\n", a key; generate_raw_config then
// writes no line for it (split /\n/ of "\n" is empty). The bare header
// loads back as an empty pending section, which pct does not write.
func TestPendingWithOnlyEmptyCommentsKeepsItsHeaderOnce(t *testing.T) {
	first := Fmt([]byte("[pve:pending]\n#"))
	assert.Equal(t, "\n[pve:pending]\n", string(first))
	assert.Equal(t, "", string(Fmt(first)))
}
