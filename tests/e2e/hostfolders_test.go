package e2e

// Issue 14, point 2: the folders a run makes are planned one by one, and
// nothing is made under a mount point that should be mounted and is not.

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Check mode lists every folder the run will make, parents included, as
// its own action with its exact path; the run makes exactly those.
func TestEveryFolderARunMakesIsPlanned(t *testing.T) {
	h := newHost(t)
	vol := filepath.Join(h.vols, "a", "b", "data")
	cfg := h.oneContainer(volume(vol))
	res := h.run(map[string]any{"config_file": cfg, "_ansible_check_mode": true})
	require.Equal(t, false, res["failed"], res["msg"])
	var mkdirs []string
	for _, a := range actions(res) {
		if strings.HasPrefix(a, "shared_volumes mkdir") {
			mkdirs = append(mkdirs, a)
		}
	}
	want := []string{}
	for _, d := range []string{"a", "a/b", "a/b/data"} {
		want = append(want, "shared_volumes mkdir -m 0755 "+filepath.Join(h.vols, d))
	}
	assert.Equal(t, want, mkdirs)
	_, err := os.Stat(filepath.Join(h.vols, "a"))
	assert.True(t, os.IsNotExist(err), "check mode made nothing")

	res = h.run(map[string]any{"config_file": cfg})
	require.Equal(t, false, res["failed"], res["msg"])
	st, err := os.Stat(filepath.Join(h.vols, "a", "b"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o755), st.Mode().Perm())
	assert.Equal(t, uint32(0), st.Sys().(*syscall.Stat_t).Uid, "parents are root's")
	st, err = os.Stat(vol)
	require.NoError(t, err)
	assert.Equal(t, uint32(101000), st.Sys().(*syscall.Stat_t).Uid, "the volume is the container's 1000")
	res = h.run(map[string]any{"config_file": cfg})
	assert.Equal(t, false, res["changed"], "converged")
}

// A volume under a mount point the host expects (a network storage's
// path, a dir storage's is_mountpoint, an /etc/fstab line) is refused
// while nothing is mounted there, in check mode too; mounted, it is used.
func TestNothingIsMadeUnderAMissingMount(t *testing.T) {
	h := newHost(t)
	nas, usb, disk := filepath.Join(h.vols, "nas"), filepath.Join(h.vols, "usb"), filepath.Join(h.vols, "disk")
	h.write("root/etc/pve/storage.cfg", "dir: local\n\tpath /var/lib/vz\n\tcontent vztmpl\n\n"+
		"lvmthin: local-lvm\n\tvgname pve\n\tthinpool data\n\tcontent rootdir,images\n\n"+
		"nfs: nas\n\tpath "+nas+"\n\tserver 10.0.0.9\n\texport /tank\n\tcontent images\n\n"+
		"dir: usb\n\tpath "+usb+"\n\tcontent backup\n\tis_mountpoint yes\n", 0o644)
	h.write("fstab", "# local disks\nUUID=1234 "+disk+" ext4 defaults 0 2\nUUID=5678 none swap sw 0 0\n", 0o644)
	h.env = append(h.env, "PHOENIX_LXC_FSTAB="+filepath.Join(h.dir, "fstab"))
	for mount, what := range map[string]string{nas: "Proxmox storage 'nas' (nfs)", usb: "Proxmox storage 'usb' (dir)", disk: "the /etc/fstab entry for UUID=1234"} {
		vol := filepath.Join(mount, "media", "data")
		h.refused(h.oneContainer(volume(vol)), "is under "+mount+", where "+what+" is mounted, but nothing is mounted there now", filepath.Join(mount, "media"))
	}
	require.NoError(t, os.MkdirAll(nas, 0o755))
	require.NoError(t, syscall.Mount("tmpfs", nas, "tmpfs", 0, "mode=0755"))
	t.Cleanup(func() { _ = syscall.Unmount(nas, syscall.MNT_DETACH) })
	res := h.run(map[string]any{"config_file": h.oneContainer(volume(filepath.Join(nas, "media", "data")))})
	require.Equal(t, false, res["failed"], res["msg"])
	_, err := os.Stat(filepath.Join(nas, "media", "data"))
	assert.NoError(t, err, "made on the mounted storage")
}
