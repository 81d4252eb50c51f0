package lxc

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testBackend is a backend on a temp LXC path with a fake runner, a fake
// /proc and /sys/class/net, and a hybrid cgroup layout with swap accounting.
func testBackend(t *testing.T) (*Backend, *fakeRunner) {
	f := newFake(t)
	b := New(f, t.TempDir())
	b.Proc, b.SysClassNet = t.TempDir(), t.TempDir()
	b.cg = cgroups{Layout: "hybrid", Memsw: true}
	return b, f
}

func writeCT(t *testing.T, b *Backend, id int, conf string) {
	require.NoError(t, os.MkdirAll(b.dir(id), 0o755))
	require.NoError(t, os.WriteFile(b.confPath(id), []byte(conf), 0o640))
}

func TestNewTakesTheLXCPathItIsGiven(t *testing.T) {
	assert.Equal(t, DefaultLXCPath, New(nil, "").LXCPath)
	assert.Equal(t, "/x", New(nil, "/x/").LXCPath)
}

func TestObserveAbsentMakesNoCall(t *testing.T) {
	b, f := testBackend(t)
	got, err := b.Observe(context.Background(), []int{950})
	require.NoError(t, err)
	assert.Equal(t, &backend.State{CTID: 950}, got[950])
	assert.Empty(t, f.Calls())
}

func TestObserveRunningContainer(t *testing.T) {
	b, f := testBackend(t)
	writeCT(t, b, 950, busyboxConf)
	require.NoError(t, os.MkdirAll(filepath.Join(b.snapsDir(950), "snap0"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(b.snapsDir(950), "snap0", "comment"), []byte("base\n"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(b.snapsDir(950), "snap1"), 0o755))
	require.NoError(t, os.WriteFile(b.records(950), []byte(`{"feature:docker":"abc"}`), 0o600))
	require.NoError(t, os.WriteFile(b.pending(950), []byte("lxc.uts.name\n"), 0o600))
	proc := filepath.Join(b.Proc, "4242")
	require.NoError(t, os.MkdirAll(proc, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(proc, "uid_map"), []byte(idmap.Default().FormatProc(idmap.UID)), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(proc, "gid_map"), []byte(idmap.Default().FormatProc(idmap.GID)), 0o644))
	f.on("lxc-info -P "+b.LXCPath+" -n 950 -s -p -H", "State:          RUNNING\nPID:            4242\n")

	got, err := b.Observe(context.Background(), []int{950})
	require.NoError(t, err)
	st := got[950]
	assert.True(t, st.Exists && st.Running && st.Unprivileged)
	assert.Equal(t, 4242, st.InitPID)
	assert.Equal(t, "900", st.Hostname)
	assert.True(t, st.GivenMap.Equal(idmap.Default()))
	assert.Equal(t, b.confPath(950), st.GivenMapFrom)
	assert.True(t, st.RunningMap.Equal(idmap.Default()))
	assert.Equal(t, []string{"base", "snap1"}, st.Snapshots)
	assert.Equal(t, map[string]string{"feature:docker": "abc"}, st.Records)
	assert.Equal(t, []string{"lxc.uts.name"}, st.Pending)
	assert.Equal(t, []backend.Mount{{Key: "/srv/data", HostPath: "/srv/data", MountPath: "/srv/data"}}, st.Mounts)
	assert.Equal(t, busyboxConf, st.ConfText)
	assert.Len(t, f.Calls(), 1, "one lxc-info per container")
}

func TestObservePrivilegedIsIdentityAndPartialIsAbsent(t *testing.T) {
	b, f := testBackend(t)
	writeCT(t, b, 951, "lxc.net.0.type = empty\n")
	f.on("lxc-info", "State:          STOPPED\n")
	writeCT(t, b, 952, "lxc.net.0.type = empty\n")
	require.NoError(t, os.WriteFile(filepath.Join(b.dir(952), "partial"), nil, 0o644))
	got, err := b.Observe(context.Background(), []int{951, 952})
	require.NoError(t, err)
	assert.False(t, got[951].Unprivileged)
	assert.True(t, got[951].GivenMap.Equal(idmap.Identity()))
	assert.False(t, got[952].Exists, "a half-created container does not exist yet")
}

func spec950() *schema.Spec {
	swap, order := 512, 3
	on := true
	return &schema.Spec{Name: "web", MemoryMB: 256, SwapMB: &swap, Cores: 2, StartAtBoot: &on, BootOrder: &order,
		PctOptions: []string{"nesting=1", "keyctl=1"}, SharedVolumes: []schema.SharedVolume{{HostPath: "/srv/data", MountPath: "/srv/data"}}}
}

func TestConfigurePlansOneEditAndIsIdempotent(t *testing.T) {
	b, f := testBackend(t)
	writeCT(t, b, 950, busyboxConf)
	st := &backend.State{CTID: 950, Exists: true}
	require.NoError(t, fillFromConf(st, busyboxConf, b.confPath(950)))

	acts, pred, err := b.Configure(st, spec950())
	require.NoError(t, err)
	require.Len(t, acts, 1)
	assert.Equal(t, []string{"edit-config", b.confPath(950),
		"lxc.cgroup.cpu.cfs_period_us = 100000", "lxc.cgroup.cpu.cfs_quota_us = 200000",
		"lxc.cgroup.memory.limit_in_bytes = 268435456", "lxc.cgroup.memory.memsw.limit_in_bytes = 805306368",
		"lxc.start.auto = 1", "lxc.start.order = 3", "lxc.uts.name = web",
		"lxc.include = /usr/share/lxc/config/nesting.conf"}, acts[0].Argv)
	assert.Equal(t, "web", pred.Hostname)
	assert.Empty(t, pred.Pending, "a stopped container has nothing pending")
	assert.Equal(t, busyboxConf, readFile(t, b.confPath(950)), "planning writes nothing")

	require.NoError(t, acts[0].Do(context.Background()))
	assert.Equal(t, pred.ConfText, readFile(t, b.confPath(950)), "the prediction is what was written")
	assert.Contains(t, pred.ConfText, "lxc.mount.entry = /lib lib none ro,bind 0 0\n", "template lines kept")

	again, _, err := b.Configure(pred, spec950())
	require.NoError(t, err)
	assert.Empty(t, again)
	assert.Empty(t, f.Calls(), "configure runs no command")
	assert.Equal(t, []string{`pct_options "keyctl=1" has no effect on the lxc backend`}, b.Warnings(spec950()))
}

func TestConfigureRunningContainerMarksPending(t *testing.T) {
	b, _ := testBackend(t)
	writeCT(t, b, 950, busyboxConf)
	st := &backend.State{CTID: 950, Running: true}
	require.NoError(t, fillFromConf(st, busyboxConf, b.confPath(950)))
	acts, pred, err := b.Configure(st, &schema.Spec{Name: "web", SharedVolumes: spec950().SharedVolumes})
	require.NoError(t, err)
	require.Len(t, acts, 1)
	assert.Equal(t, []string{"lxc.uts.name"}, pred.Pending)
	require.NoError(t, acts[0].Do(context.Background()))
	assert.Equal(t, []string{"lxc.uts.name"}, readPending(b.pending(950)), "the next run still knows a restart is due")
}

func TestConfigureRefusesMapChangeAndMissingBridge(t *testing.T) {
	b, _ := testBackend(t)
	st := &backend.State{CTID: 950}
	require.NoError(t, fillFromConf(st, busyboxConf, b.confPath(950)))
	_, _, err := b.Configure(st, &schema.Spec{Name: "web", Idmap: []string{"u 0 200000 65536", "g 0 200000 65536"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "destroy it")

	_, _, err = b.Configure(st, &schema.Spec{Name: "web", NetworkConfig: &schema.NetworkConfig{Name: "eth0", Bridge: "vmbr0"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "network_config.bridge")

	_, _, err = b.Configure(st, &schema.Spec{Name: "web\nlxc.idmap = u 0 0 65536"})
	require.Error(t, err)
}

func TestConfigureNetwork(t *testing.T) {
	b, _ := testBackend(t)
	require.NoError(t, os.MkdirAll(filepath.Join(b.SysClassNet, "vmbr0"), 0o755))
	st := &backend.State{CTID: 950}
	require.NoError(t, fillFromConf(st, busyboxConf, b.confPath(950)))
	_, pred, err := b.Configure(st, &schema.Spec{Name: "web", MACAddress: "AA:BB:CC:00:11:22",
		NetworkConfig: &schema.NetworkConfig{Name: "eth0", Bridge: "vmbr0", IP: "10.0.0.5/24", GW: "10.0.0.1"}})
	require.NoError(t, err)
	c := parseConf(pred.ConfText)
	for k, v := range map[string]string{"lxc.net.0.type": "veth", "lxc.net.0.link": "vmbr0", "lxc.net.0.name": "eth0",
		"lxc.net.0.hwaddr": "aa:bb:cc:00:11:22", "lxc.net.0.ipv4.address": "10.0.0.5/24", "lxc.net.0.ipv4.gateway": "10.0.0.1"} {
		got, _ := c.get(k)
		assert.Equal(t, v, got, k)
	}
}

func TestMountsAddsOnlyMissingEntries(t *testing.T) {
	b, _ := testBackend(t)
	st := &backend.State{CTID: 950}
	require.NoError(t, fillFromConf(st, busyboxConf, b.confPath(950)))
	vols := []schema.SharedVolume{{HostPath: "/srv/data", MountPath: "/srv/data"}, {HostPath: "/srv/ro", MountPath: "/mnt/ro/", ReadOnly: true}}
	acts, pred, _ := b.Mounts(st, &schema.Spec{SharedVolumes: vols})
	require.Len(t, acts, 1)
	assert.Equal(t, []string{"edit-config", b.confPath(950), "lxc.mount.entry = /srv/ro mnt/ro none bind,create=dir,ro 0 0"}, acts[0].Argv)
	assert.Len(t, pred.Mounts, 2)
	again, _, _ := b.Mounts(pred, &schema.Spec{SharedVolumes: vols})
	assert.Empty(t, again)

	vols[0].ReadOnly = true
	acts, pred, _ = b.Mounts(pred, &schema.Spec{SharedVolumes: vols})
	require.Len(t, acts, 1)
	assert.ElementsMatch(t, []string{"/srv/data srv/data none bind,create=dir,ro 0 0", "/srv/ro mnt/ro none bind,create=dir,ro 0 0"},
		filterMounts(parseConf(pred.ConfText).all("lxc.mount.entry")), "the read-write entry was replaced")
}

func filterMounts(entries []string) []string {
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e, "/srv") {
			out = append(out, e)
		}
	}
	return out
}

func readFile(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return string(b)
}

// A shared volume dropped from the spec leaves the config in Configure's
// one edit; the template's own mount entries stay (issue 15 point 2).
func TestConfigureRemovesADroppedVolumeOnly(t *testing.T) {
	b, _ := testBackend(t)
	writeCT(t, b, 950, busyboxConf)
	st := &backend.State{CTID: 950, Exists: true}
	require.NoError(t, fillFromConf(st, busyboxConf, b.confPath(950)))
	spec := spec950()
	spec.SharedVolumes = nil
	acts, pred, err := b.Configure(st, spec)
	require.NoError(t, err)
	require.Len(t, acts, 1)
	assert.Contains(t, acts[0].Argv, "-lxc.mount.entry = /srv/data srv/data none bind,create=dir 0 0")
	assert.Empty(t, pred.Mounts)
	assert.Contains(t, pred.ConfText, "lxc.mount.entry = /lib lib none ro,bind 0 0\n")
}
