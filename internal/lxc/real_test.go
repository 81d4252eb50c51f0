package lxc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRealBusyboxLifecycle drives one unprivileged busybox container and a
// clone of its snapshot through everything the pipeline asks of a backend.
func TestRealBusyboxLifecycle(t *testing.T) {
	b, cr := realBackend(t, 950, 951)
	t.Logf("cgroup layout: %s", b.CgroupLayout())
	swap := 64
	spec := &schema.Spec{Name: "alpha", Template: "lxc:busybox", MemoryMB: 128, SwapMB: &swap, Cores: 1}

	act, _, _ := b.Create(950, spec)
	do(t, act)
	st := observe(t, b, 950)
	require.True(t, st.Exists)
	assert.False(t, st.Running)
	assert.True(t, st.Unprivileged)
	assert.True(t, st.GivenMap.Equal(idmap.Default()), "given map: %v", st.GivenMap)

	acts, _, err := b.Configure(st, spec)
	require.NoError(t, err)
	do(t, acts...)
	vol := mkOwnedDir(t, filepath.Join(b.LXCPath, "vol"), 101000, 101000)
	st = observe(t, b, 950)
	spec.SharedVolumes = []schema.SharedVolume{{HostPath: vol, MountPath: "/srv/data"}}
	acts, _, _ = b.Mounts(st, spec)
	do(t, acts...)

	do(t, b.Start(observe(t, b, 950)))
	st = observe(t, b, 950)
	require.True(t, st.Running)
	assert.Positive(t, st.InitPID)
	assert.True(t, st.RunningMap.Equal(idmap.Default()), "running map: %v", st.RunningMap)
	assert.Equal(t, "alpha", run(t, b, cr, 950, "hostname"))
	assert.Equal(t, "uid=0(root) gid=0(root)", run(t, b, cr, 950, "id"))

	// The cgroup keys written for this host's layout are in force.
	assert.Equal(t, "134217728", readCgroup(t, st.InitPID, "memory", "memory.limit_in_bytes", "memory.max"))

	do(t, b.Push(950, []byte("hello\n"), "/root/hello.txt", "0600"))
	assert.Equal(t, "hello", run(t, b, cr, 950, "cat", "/root/hello.txt"))
	assert.Equal(t, "600", run(t, b, cr, 950, "stat", "-c", "%a", "/root/hello.txt"))

	assert.Equal(t, "1000:1000", run(t, b, cr, 950, "stat", "-c", "%u:%g", "/srv/data/owned"), "host 101000 is container 1000")
	run(t, b, cr, 950, "touch", "/srv/data/byroot")
	assert.Equal(t, "100000:100000", hostOwner(t, filepath.Join(vol, "byroot")), "container root is host 100000")

	// Converged: observing costs one lxc-info, and nothing is planned.
	cr.reset()
	st = observe(t, b, 950)
	assert.Equal(t, [][]string{b.lxc("lxc-info", 950, "-s", "-p", "-H")}, cr.reset())
	acts, _, err = b.Configure(st, spec)
	require.NoError(t, err)
	assert.Empty(t, acts)
	acts, _, _ = b.Mounts(st, spec)
	assert.Empty(t, acts)

	do(t, b.Record(st, "feature:base_setup", "h1"), b.Snapshot(st, "golden"))
	st = observe(t, b, 950)
	assert.Equal(t, []string{"golden"}, st.Snapshots)
	assert.True(t, st.Running, "snapshot of a running container starts it again")

	act, _, _ = b.Clone(951, st, "golden", &schema.Spec{Name: "beta"})
	do(t, act)
	cl := observe(t, b, 951)
	require.True(t, cl.Exists)
	assert.Equal(t, map[string]string{"feature:base_setup": "h1"}, cl.Records)
	acts, _, err = b.Configure(cl, &schema.Spec{Name: "beta", MemoryMB: 128, SwapMB: &swap, Cores: 1})
	require.NoError(t, err)
	do(t, acts...)
	do(t, b.Start(observe(t, b, 951)))
	assert.Equal(t, "beta", run(t, b, cr, 951, "hostname"))
	assert.Equal(t, "hello", run(t, b, cr, 951, "cat", "/root/hello.txt"), "the clone has the snapshot's files")
	assert.True(t, observe(t, b, 950).Running, "the source is untouched")

	do(t, b.Stop(observe(t, b, 951)))
	assert.False(t, observe(t, b, 951).Running)
	do(t, b.Destroy(observe(t, b, 950)))
	do(t, b.Destroy(observe(t, b, 951)))
	assert.False(t, observe(t, b, 950).Exists)
	assert.NoDirExists(t, b.dir(950), "records and snapshots go with the container")
}

// TestRealCustomIdmapPassesHostIDThrough maps container 1000 to host 1000.
func TestRealCustomIdmapPassesHostIDThrough(t *testing.T) {
	b, cr := realBackend(t, 952)
	ensureGrant(t, "root:1000:1")
	spec := &schema.Spec{Name: "pass", Template: "lxc:busybox", Idmap: []string{
		"u 0 100000 1000", "g 0 100000 1000", "u 1000 1000 1", "g 1000 1000 1", "u 1001 101001 64535", "g 1001 101001 64535"}}
	want, err := idmap.Parse(spec.Idmap)
	require.NoError(t, err)
	act, _, _ := b.Create(952, spec)
	do(t, act)
	st := observe(t, b, 952)
	acts, _, err := b.Configure(st, spec)
	require.NoError(t, err)
	do(t, acts...)
	vol := mkOwnedDir(t, filepath.Join(b.LXCPath, "vol"), 1000, 1000)
	acts, _, _ = b.Mounts(observe(t, b, 952), &schema.Spec{SharedVolumes: []schema.SharedVolume{{HostPath: vol, MountPath: "/data"}}})
	do(t, acts...)
	do(t, b.Start(observe(t, b, 952)))
	st = observe(t, b, 952)
	assert.True(t, st.GivenMap.Equal(want), "given: %v", st.GivenMap)
	assert.True(t, st.RunningMap.Equal(want), "running: %v", st.RunningMap)
	assert.Equal(t, "1000:1000", run(t, b, cr, 952, "stat", "-c", "%u:%g", "/data/owned"))
	assert.Equal(t, "100000:100000", hostOwner(t, filepath.Join(b.rootfsPath(952), "bin")))

	_, _, err = b.Configure(st, &schema.Spec{Name: "pass"})
	assert.ErrorContains(t, err, "cannot change in place", "the default map is refused on a container made with another")
	do(t, b.Destroy(st))
}

// TestRealTarballIsShiftedThroughTheMap extracts a rootfs tarball.
func TestRealTarballIsShiftedThroughTheMap(t *testing.T) {
	b, _ := realBackend(t, 953)
	tarball := writeTestTarball(t, b.LXCPath)
	act, _, _ := b.Create(953, &schema.Spec{Name: "tar", Template: tarball})
	do(t, act)
	st := observe(t, b, 953)
	require.True(t, st.Exists)
	assert.True(t, st.GivenMap.Equal(idmap.Default()))
	assert.Equal(t, "100000:100000", hostOwner(t, filepath.Join(b.rootfsPath(953), "etc", "hostname")))
	assert.Equal(t, "101000:101000", hostOwner(t, filepath.Join(b.rootfsPath(953), "home", "user", "file")))
	_, err := os.Stat(filepath.Join(b.LXCPath, ".953.partial"))
	assert.True(t, os.IsNotExist(err), "the staging directory is gone")
	do(t, b.Destroy(st))
}

// readCgroup reads a controller file of pid's cgroup, trying the v1 name
// and then the v2 one.
func readCgroup(t *testing.T, pid int, ctrl, v1, v2 string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("/proc", itoa(pid), "cgroup"))
	require.NoError(t, err)
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.SplitN(l, ":", 3)
		if len(f) != 3 {
			continue
		}
		if strings.Contains(","+f[1]+",", ","+ctrl+",") {
			if out, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", ctrl, f[2], v1)); err == nil {
				return strings.TrimSpace(string(out))
			}
		}
		if f[0] == "0" {
			if out, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", f[2], v2)); err == nil {
				return strings.TrimSpace(string(out))
			}
		}
	}
	t.Fatalf("no %s cgroup file for pid %d", ctrl, pid)
	return ""
}
