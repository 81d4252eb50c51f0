package conf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckSpecExamplesAreClean(t *testing.T) {
	files, _ := filepath.Glob("testdata/spec_*.conf")
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.Empty(t, Check(data), f)
	}
}

// Each problem class is found, on the right line.
func TestCheckFindsEachProblem(t *testing.T) {
	for name, tc := range map[string]struct {
		conf string
		want []Warning
	}{
		"unparsable line":   {"memory: 512\nwhat is this\n", []Warning{{2, "unable to parse config: what is this"}}},
		"unknown key":       {"memory: 512\nfrobnicate: 1\n", []Warning{{2, "unable to parse value of 'frobnicate' - unknown setting 'frobnicate'"}}},
		"bad integer":       {"\nmemory: 1G\n", []Warning{{2, "unable to parse value of 'memory' - type check ('integer') failed - got '1G'"}}},
		"bad net":           {"net0: name=eth0,speed=10\n", []Warning{{1, "unable to parse value of 'net0' - invalid key in comma-separated list property: speed"}}},
		"bad mp":            {"arch: amd64\nmp0: /srv/../etc,mp=/x\n", []Warning{{2, "unable to parse value of 'mp0' - /srv/../etc contains illegal character sequences"}}},
		"mp without mp=":    {"mp1: /srv\n", []Warning{{1, "unable to parse value of 'mp1' - format error - mp: property is missing and it is not optional"}}},
		"bad dev":           {"dev0: /tmp/x\n", []Warning{{1, "unable to parse value of 'dev0' - /tmp/x is not a valid device path"}}},
		"bad features":      {"features: nesting=1,nesting=0\n", []Warning{{1, "unable to parse value of 'features' - duplicate key in comma-separated list property: nesting"}}},
		"bad rootfs":        {"rootfs: local:1,mp=/\n", []Warning{{1, "unable to parse value of 'rootfs' - invalid key in comma-separated list property: mp"}}},
		"enum":              {"ostype: windows\n", []Warning{{1, "invalid value of 'ostype' - value 'windows' does not have a value in the enumeration 'debian, devuan, ubuntu, centos, fedora, opensuse, archlinux, alpine, gentoo, nixos, unmanaged'"}}},
		"range":             {"memory: 8\n", []Warning{{1, "invalid value of 'memory' - value must have a minimum value of 16"}}},
		"forbidden raw":     {"memory: 512\nlxc.rootfs.path = /x\n", []Warning{{2, "lxc.rootfs.path: lxc.rootfs.path is auto generated from rootfs"}}},
		"unknown raw":       {"lxc.nonsense: 1\n", []Warning{{1, "unable to parse config: lxc.nonsense: 1"}}},
		"delete in main":    {"memory: 512\n\ndelete: swap\n", []Warning{{3, "property 'delete' is only allowed in [pve:pending]"}}},
		"duplicate key":     {"memory: 512\nswap: 0\nmemory: 1024\n", []Warning{{3, "key 'memory' is set again (first on line 1): pct keeps only the last value"}}},
		"duplicate section": {"memory: 512\n[s1]\n[s1]\n", []Warning{{3, "section [s1] appears again: pct keeps only the last one"}}},
		"crlf comment":      {"#note\r\nmemory: 512\r\n", []Warning{{1, "comment line ends with CR (Windows line ending): pct keeps it as %0D in the description"}}},
		"idmap unparsable": {"lxc.idmap: u 0 100000\nlxc.idmap: u 0 100000 65536\nlxc.idmap: g 0 100000 65536\n",
			[]Warning{{1, "failed to parse idmap: u 0 100000"}}},
		"idmap container overlap": {
			"memory: 512\nlxc.idmap: u 0 100000 65536\nlxc.idmap: u 1005 1005 1\nlxc.idmap: u 1006 201006 64530\nlxc.idmap: g 0 100000 65536\n",
			[]Warning{
				{3, "invalid map entry 'u 1005 1005 1': container uid 1005 is also mapped by entry 'u 0 100000 65536'"},
				{4, "invalid map entry 'u 1006 201006 64530': container uid 1006 is also mapped by entry 'u 0 100000 65536'"},
			}},
		"idmap host overlap": {
			"lxc.idmap: u 0 100000 1005\nlxc.idmap: u 1005 100000 64531\nlxc.idmap: g 0 100000 65536\n",
			[]Warning{{2, "invalid map entry 'u 1005 100000 64531': host uid 100000 is also mapped by entry 'u 0 100000 1005'"}}},
		"idmap gap": {
			"lxc.idmap: u 0 100000 1000\nlxc.idmap: g 0 100000 65536\nlxc.idmap: u 1001 101001 64535\n",
			[]Warning{{1, "container uid 1000 is not mapped: lxc.idmap entries must cover container uids 0-65535"}}},
		"idmap missing kind": {
			"memory: 512\nlxc.idmap: u 0 100000 65536\n",
			[]Warning{{2, "container gid 0 is not mapped: lxc.idmap entries must cover container gids 0-65535"}}},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, Check([]byte(tc.conf)))
		})
	}
}

func TestCheckIdmapPerSection(t *testing.T) {
	// A snapshot's map is checked on its own, with its own line numbers.
	conf := "lxc.idmap: u 0 100000 65536\nlxc.idmap: g 0 100000 65536\n\n[snap]\nlxc.idmap: u 0 100000 65536\n"
	assert.Equal(t, []Warning{{5, "container gid 0 is not mapped: lxc.idmap entries must cover container gids 0-65535"}}, Check([]byte(conf)))
}

func TestMainCLI(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "100.conf")
	bad := filepath.Join(dir, "101.conf")
	require.NoError(t, os.WriteFile(good, []byte("memory: 512\narch: amd64\nlxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n"), 0o644))
	require.NoError(t, os.WriteFile(bad, []byte("memory: 512\nfoo bar\n"), 0o644))

	var out, errb bytes.Buffer
	assert.Equal(t, 0, Main([]string{"fmt", good}, &out, &errb))
	assert.Equal(t, "arch: amd64\nmemory: 512\nlxc.idmap: u 0 100000 65536\nlxc.idmap: g 0 100000 65536\n", out.String())

	out.Reset()
	assert.Equal(t, 0, Main([]string{"check", good}, &out, &errb))
	assert.Equal(t, good+": ok\n", out.String())

	out.Reset()
	assert.Equal(t, 1, Main([]string{"check", bad}, &out, &errb))
	assert.Equal(t, bad+":2: unable to parse config: foo bar\n", out.String())

	errb.Reset()
	assert.Equal(t, 2, Main([]string{"check", filepath.Join(dir, "missing.conf")}, &out, &errb))
	assert.Contains(t, errb.String(), "missing.conf")
	assert.Equal(t, 2, Main([]string{"lint", good}, &out, &errb))
	assert.Contains(t, errb.String(), "usage:")
}
