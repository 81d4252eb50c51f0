package lxc

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const busyboxConf = `# Template used to create this container
lxc.net.0.type = empty
lxc.idmap = u 0 100000 65536
lxc.idmap = g 0 100000 65536
lxc.rootfs.path = dir:/var/lib/lxc/900/rootfs
lxc.uts.name = "900"
lxc.mount.entry = /lib lib none ro,bind 0 0
lxc.mount.entry = /srv/data srv/data none bind,create=dir 0 0
`

func TestConfReadsLastValueAndStripsQuotes(t *testing.T) {
	c := parseConf(busyboxConf + "lxc.uts.name = web\n")
	v, ok := c.get("lxc.uts.name")
	assert.True(t, ok)
	assert.Equal(t, "web", v)
	assert.Equal(t, []string{"u 0 100000 65536", "g 0 100000 65536"}, c.all("lxc.idmap"))
}

func TestEditKeepsUnknownLinesAndReplacesOwnedOnes(t *testing.T) {
	c := parseConf(busyboxConf + "lxc.net.0.ipv4.address = 10.0.0.9/24\nlxc.uts.name = old\n")
	e := newEdit()
	e.set["lxc.uts.name"] = "web"
	e.set["lxc.net.0.type"] = "empty"
	e.dropPrefix = []string{"lxc.net.0."}
	changes, keys := e.apply(c)
	assert.Equal(t, []string{"lxc.uts.name = web", "-lxc.net.0.ipv4.address = 10.0.0.9/24"}, changes)
	assert.Equal(t, []string{"lxc.net.0.ipv4.address", "lxc.uts.name"}, keys)
	assert.Equal(t, []string{"web"}, c.all("lxc.uts.name"), "earlier duplicates are dropped")
	assert.Contains(t, c.String(), "# Template used to create this container\n")
	assert.Contains(t, c.String(), "lxc.mount.entry = /lib lib none ro,bind 0 0\n")

	again, _ := e.apply(c)
	assert.Empty(t, again, "a second apply changes nothing")
}

func TestCheckValueRejectsLineInjection(t *testing.T) {
	assert.Error(t, checkValue("name", "web\nlxc.idmap = u 0 0 1"))
	assert.NoError(t, checkValue("name", "web"))
}

func TestDetectCgroupsHybridV1V2(t *testing.T) {
	hybrid := t.TempDir()
	for _, d := range []string{"memory", "cpu", "unified"} {
		require.NoError(t, os.MkdirAll(filepath.Join(hybrid, d), 0o755))
	}
	require.NoError(t, os.WriteFile(filepath.Join(hybrid, "unified", "cgroup.controllers"), []byte("hugetlb\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(hybrid, "memory", "memory.memsw.limit_in_bytes"), nil, 0o644))
	g := detectCgroups(hybrid)
	assert.Equal(t, cgroups{Layout: "hybrid", Memsw: true}, g)
	swap := 512
	assert.Equal(t, map[string]string{
		"lxc.cgroup.memory.limit_in_bytes":       "268435456",
		"lxc.cgroup.memory.memsw.limit_in_bytes": "805306368",
		"lxc.cgroup.cpu.cfs_quota_us":            "200000",
		"lxc.cgroup.cpu.cfs_period_us":           "100000",
	}, g.keys(256, &swap, 2))

	v2 := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(v2, "cgroup.controllers"), []byte("cpu memory\n"), 0o644))
	g = detectCgroups(v2)
	assert.Equal(t, "v2", g.Layout)
	assert.Equal(t, map[string]string{
		"lxc.cgroup2.memory.max":      "268435456",
		"lxc.cgroup2.memory.swap.max": "536870912",
		"lxc.cgroup2.cpu.max":         "200000 100000",
	}, g.keys(256, &swap, 2))

	v1NoSwap := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(v1NoSwap, "memory"), 0o755))
	g = detectCgroups(v1NoSwap)
	assert.Equal(t, cgroups{Layout: "v1"}, g)
	assert.NotContains(t, g.keys(256, &swap, 0), "lxc.cgroup.memory.memsw.limit_in_bytes", "no memsw key where the kernel does not account swap")
}

func TestParseInfo(t *testing.T) {
	s, pid := parseInfo("State:          RUNNING\nPID:            7170\n")
	assert.Equal(t, "RUNNING", s)
	assert.Equal(t, 7170, pid)
	s, pid = parseInfo("State:          STOPPED\n")
	assert.Equal(t, "STOPPED", s)
	assert.Zero(t, pid)
}
