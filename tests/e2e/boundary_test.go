package e2e

// The trust boundary (issue 12) through the built binary on the pct
// emulator: hostile shared volumes, id maps and lock folders are refused
// before any change, in check mode too.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oneContainer writes a config of one plain container 900 with the given
// extra keys and returns its path.
func (h *host) oneContainer(extra map[string]any) string {
	spec := map[string]any{"name": "ct", "memory_mb": 512, "cores": 1, "template": "local:vztmpl/debian-12.tar.zst",
		"storage_pool": "local-lvm", "storage_size_gb": 8, "unprivileged": true}
	for k, v := range extra {
		spec[k] = v
	}
	data, err := json.Marshal(map[string]any{"lxc_configs": map[string]any{"900": spec}})
	require.NoError(h.t, err)
	h.write("one.json", string(data), 0o644)
	return filepath.Join(h.dir, "one.json")
}

func volume(hostPath string) map[string]any {
	return map[string]any{"shared_volumes": []map[string]any{{"host_path": hostPath, "mount_path": "/data", "owner": "1000:1000"}}}
}

// refused runs cfg in check mode and for real, and requires both to fail
// with want in the message, with no state-changing pct call and nothing
// created at the paths in untouched.
func (h *host) refused(cfg string, want string, untouched ...string) {
	h.t.Helper()
	for _, check := range []bool{true, false} {
		h.resetLog()
		res := h.run(map[string]any{"config_file": cfg, "_ansible_check_mode": check})
		require.Equal(h.t, true, res["failed"], "check=%v: %v", check, res["msg"])
		assert.Contains(h.t, res["msg"], want, "check=%v", check)
		assert.Empty(h.t, h.mutations(), "check=%v: nothing changed", check)
		for _, p := range untouched {
			_, err := os.Lstat(p)
			assert.True(h.t, os.IsNotExist(err), "%s was not created", p)
		}
	}
}

// A shared volume that is, contains or lies inside what root executes or
// trusts, a guest's disk, or a path a mount line cannot carry, is refused.
func TestHostileVolumesAreRefusedBeforeAnyChange(t *testing.T) {
	h := newHost(t)
	store := filepath.Join(h.dir, "store")
	h.write("root/etc/pve/storage.cfg", "dir: local\n\tpath /var/lib/vz\n\tcontent vztmpl\n\ndir: bulk\n\tpath "+store+"\n\tcontent images,rootdir\n\n"+
		"lvmthin: local-lvm\n\tvgname pve\n\tthinpool data\n\tcontent rootdir,images\n", 0o644)
	h.write("file", "x", 0o644)
	require.NoError(t, os.Symlink("/root", filepath.Join(h.dir, "link")))
	require.NoError(t, os.MkdirAll(filepath.Join(h.dir, "open"), 0o777))
	require.NoError(t, os.Chmod(filepath.Join(h.dir, "open"), 0o777))
	for p, want := range map[string]string{
		h.scripts:                             "the folder root trusts",
		filepath.Join(h.scripts, "sub"):       "the folder root trusts",
		h.dir:                                 "contains the folder root trusts",
		"/usr/local/bin":                      "protected host tree /usr/local/bin",
		"/root/.ssh":                          "protected host tree /root",
		"/run/lock/phoenix_lxc":               "protected host tree /run",
		"/var/lib/vz/images/100":              "protected host tree /var/lib/vz",
		"/etc/pve/nodes":                      "protected host tree /etc",
		"/tank/subvol-100-disk-0":             "named like a Proxmox guest disk",
		store:                                 "root of a Proxmox storage",
		filepath.Join(store, "images", "100"): "Proxmox storage folder",
		filepath.Join(store, "private"):       "Proxmox storage folder",
		"/srv/a,b":                            "cannot carry",
		"/srv/a b":                            "cannot carry",
		"/srv/a=b":                            "cannot carry",
		filepath.Join(h.dir, "link", "x"):     "is a symlink",
		filepath.Join(h.dir, "file"):          "is not a directory",
		filepath.Join(h.dir, "open", "vol"):   "writable by group or others",
	} {
		t.Run(strings.ReplaceAll(p, "/", "_"), func(t *testing.T) {
			h.t = t
			h.refused(h.oneContainer(volume(p)), want)
		})
	}
	h.t = t
	// A folder inside a storage that Proxmox does not manage stays allowed.
	ok := filepath.Join(store, "shared-prod-data", "ssl")
	res := h.run(map[string]any{"config_file": h.oneContainer(volume(ok))})
	require.Equal(t, false, res["failed"], res["msg"])
}

// shared_volume_roots restricts volumes to the trees it names.
func TestSharedVolumeRoots(t *testing.T) {
	h := newHost(t)
	cfg := h.oneContainer(volume(filepath.Join(h.vols, "data")))
	res := h.run(map[string]any{"config_file": cfg, "shared_volume_roots": []string{"/srv/phoenix"}, "_ansible_check_mode": true})
	require.Equal(t, true, res["failed"])
	assert.Contains(t, res["msg"], "not inside any of shared_volume_roots")
	res = h.run(map[string]any{"config_file": cfg, "shared_volume_roots": []string{h.vols}})
	require.Equal(t, false, res["failed"], res["msg"])
}

// Id maps that make container root a host user are refused before
// anything is created.
func TestHostileIdmapsAreRefused(t *testing.T) {
	h := newHost(t)
	identity := []string{"u 0 0 4294967295", "g 0 0 4294967295"}
	h.refused(h.oneContainer(map[string]any{"idmap": identity}), "container root would be host root")
	onUser := []string{"u 0 1000 1", "g 0 1000 1", "u 1 100001 65535", "g 1 100001 65535"}
	h.refused(h.oneContainer(map[string]any{"idmap": onUser}), "below root's first range")
	h.refused(h.oneContainer(map[string]any{"idmap": []string{"u 0 +100000 65536", "g 0 100000 65536"}}), "decimal numbers separated by single spaces")
	h.refused(h.oneContainer(map[string]any{"idmap": []string{"u 0\u00a0100000 65536", "g 0 100000 65536"}}), "decimal numbers separated by single spaces")
	ungranted := []string{"u 0 100000 65536", "g 0 100000 65536", "u 70000 0 1", "g 70000 0 1"}
	h.refused(h.oneContainer(map[string]any{"idmap": ungranted}), "does not grant root")
}

// The pct backend refuses to rewrite the map of a container whose files
// are owned through the map it has, as the LXC backend does.
func TestIdmapOfAnExistingContainerIsNotRewritten(t *testing.T) {
	h := newHost(t)
	res := h.run(map[string]any{"config_file": h.oneContainer(nil)})
	require.Equal(t, false, res["failed"], res["msg"])
	pass := []string{"u 0 100000 1000", "g 0 100000 1000", "u 1000 1000 1", "g 1000 1000 1", "u 1001 101001 64535", "g 1001 101001 64535"}
	h.refused(h.oneContainer(map[string]any{"idmap": pass}), "the map cannot change in place")
}

// The lock folder must be root's alone, and a lock file is never followed
// through a symlink.
func TestLockFolderMustBeRootOnly(t *testing.T) {
	h := newHost(t)
	cfg := h.oneContainer(nil)
	planted := filepath.Join(h.dir, "planted")
	require.NoError(t, os.MkdirAll(planted, 0o700))
	require.NoError(t, os.Chown(planted, 1000, 1000))
	res := h.run(map[string]any{"config_file": cfg}, "PHOENIX_LXC_LOCK_DIR="+planted)
	require.Equal(t, true, res["failed"])
	assert.Contains(t, res["msg"], "is not a directory owned by uid 0")
	assert.Empty(t, h.mutations())

	locks := filepath.Join(h.dir, "locks")
	require.NoError(t, os.MkdirAll(locks, 0o700))
	target := filepath.Join(h.dir, "target")
	require.NoError(t, os.Symlink(target, filepath.Join(locks, "900.lock")))
	res = h.run(map[string]any{"config_file": cfg}, "PHOENIX_LXC_LOCK_DIR="+locks)
	require.Equal(t, true, res["failed"])
	assert.Contains(t, res["msg"], "run lock")
	_, err := os.Lstat(target)
	assert.True(t, os.IsNotExist(err), "the symlink's target was not created")
	assert.Empty(t, h.mutations())

	fresh := filepath.Join(h.dir, "new", "locks")
	res = h.run(map[string]any{"config_file": cfg}, "PHOENIX_LXC_LOCK_DIR="+fresh)
	require.Equal(t, false, res["failed"], res["msg"])
	var st syscall.Stat_t
	require.NoError(t, syscall.Lstat(fresh, &st))
	assert.Equal(t, uint32(0o700), st.Mode&0o777, "created root-only")
}

// A run killed while it hands a large volume over leaves the top folder
// for last: the next run sees the hand-over unfinished and completes it.
func TestKilledVolumeHandOverIsFinishedByTheNextRun(t *testing.T) {
	h := newHost(t)
	vol := filepath.Join(h.vols, "big")
	const n = 30000
	for i := 0; i < n; i++ {
		dir := filepath.Join(vol, "d"+itoa(i%100))
		if i < 100 {
			require.NoError(t, os.MkdirAll(dir, 0o755))
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, "f"+itoa(i)), nil, 0o644))
	}
	cfg := h.oneContainer(volume(vol))
	cmd, wait := h.start("killed", map[string]any{"config_file": cfg})
	killed := false
	for i := 0; i < 2000 && !killed; i++ {
		ents, _ := os.ReadDir(vol)
		for _, e := range ents {
			var st syscall.Stat_t
			if syscall.Lstat(filepath.Join(vol, e.Name()), &st) == nil && st.Uid == 101000 {
				require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
				killed = true
				break
			}
		}
		if !killed {
			time.Sleep(2 * time.Millisecond)
		}
	}
	_, _, _ = wait()
	require.True(t, killed, "the run was killed during the hand-over")
	res := h.run(map[string]any{"config_file": cfg})
	require.Equal(t, false, res["failed"], res["msg"])
	notOwned := 0
	_ = filepath.Walk(vol, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Sys().(*syscall.Stat_t).Uid != 101000 {
			notOwned++
		}
		return nil
	})
	assert.Zero(t, notOwned, "every entry belongs to the container after the rerun")
}
