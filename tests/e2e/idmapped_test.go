package e2e

// Issue 15 point 6: idmapped shared volumes (pve-container 6.1.6, mpN
// idmap=).

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func (h *host) pveContainer(version string) {
	h.write("root/var/lib/dpkg/status", "Package: pve-manager\nStatus: install ok installed\nVersion: 9.1.2\n\n"+
		"Package: pve-container\nStatus: install ok installed\nVersion: "+version+"\n", 0o644)
}

func owner(t *testing.T, p string) string {
	var st syscall.Stat_t
	require.NoError(t, syscall.Lstat(p, &st))
	return fmt.Sprintf("%d:%d", st.Uid, st.Gid)
}

func idmapped(hostPath string, extra map[string]any) map[string]any {
	v := map[string]any{"host_path": hostPath, "mount_path": "/media", "owner": "1000:1000", "idmapped": true}
	for k, x := range extra {
		v[k] = x
	}
	return map[string]any{"shared_volumes": []map[string]any{v}}
}

// The mount maps the owner to the same host ids: the host folder and what
// is in it keep their host owners (nothing chowned), and inside the
// container the mount path shows the owner. A rerun changes nothing.
func TestIdmappedVolumeKeepsHostOwnersAndIsProvenInside(t *testing.T) {
	h := newHost(t)
	h.pveContainer("6.1.6")
	media := filepath.Join(h.vols, "media")
	require.NoError(t, os.MkdirAll(media, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(media, "film.mkv"), []byte("x"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(media, "other.txt"), []byte("x"), 0o644))
	require.NoError(t, os.Chown(media, 1000, 1000))
	require.NoError(t, os.Chown(filepath.Join(media, "film.mkv"), 1000, 1000))
	require.NoError(t, os.Chown(filepath.Join(media, "other.txt"), 1234, 1234))
	cfg := h.oneContainer(idmapped(media, nil))

	res := h.run(map[string]any{"config_file": cfg})
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Contains(t, h.conf("900"), "mp0: "+media+",mp=/media,idmap=u:1000:1000:1;g:1000:1000:1\n")
	assert.Equal(t, "1000:1000", owner(t, media))
	assert.Equal(t, "1000:1000", owner(t, filepath.Join(media, "film.mkv")))
	assert.Equal(t, "1234:1234", owner(t, filepath.Join(media, "other.txt")), "nothing in it is chowned")
	assert.Contains(t, strings.Join(h.pctCalls(), "\n"), "exec 900 --keep-env 0 -- stat -c %u:%g /media", "proven from inside")

	h.resetLog()
	res = h.run(map[string]any{"config_file": cfg})
	assert.Equal(t, false, res["changed"], actions(res))
	assert.Empty(t, h.mutations())
}

// host_owner gives the host ids; a folder the run makes is theirs.
func TestIdmappedVolumeWithHostOwner(t *testing.T) {
	h := newHost(t)
	h.pveContainer("6.2.1")
	media := filepath.Join(h.vols, "media")
	res := h.run(map[string]any{"config_file": h.oneContainer(idmapped(media, map[string]any{"host_owner": "2000:2001", "mode": "0750"}))})
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Equal(t, "2000:2001", owner(t, media))
	assert.Contains(t, h.conf("900"), ",idmap=u:1000:2000:1;g:1000:2001:1\n")
}

// What cannot work is refused before anything changes, in check mode too:
// an older pve-container, a privileged container, host id 0, and an
// existing folder that belongs to someone else (an idmapped volume is
// never chowned).
func TestIdmappedVolumeRefusals(t *testing.T) {
	h := newHost(t)
	media := filepath.Join(h.vols, "media")
	h.pveContainer("6.1.4")
	h.refused(h.oneContainer(idmapped(media, nil)), "shared_volumes.0.idmapped: needs pve-container 6.1.6 or later (mount point idmap=); this node has 6.1.4", media)
	h.pveContainer("6.1.6")
	priv := idmapped(media, nil)
	priv["unprivileged"] = false
	h.refused(h.oneContainer(priv), "lxc_configs.900.shared_volumes.0.idmapped: is set on a privileged container", media)
	h.refused(h.oneContainer(idmapped(media, map[string]any{"host_owner": "0:0"})), "maps the volume's owner to host id 0", media)
	h.refused(h.oneContainer(idmapped(media, map[string]any{"host_owner": "1000:1000", "idmapped": false})), "host_owner: is only for an idmapped volume", media)

	require.NoError(t, os.MkdirAll(media, 0o755))
	require.NoError(t, os.Chown(media, 1001, 1001))
	res := h.run(map[string]any{"config_file": h.oneContainer(idmapped(media, nil)), "_ansible_check_mode": true})
	require.Equal(t, true, res["failed"])
	assert.Contains(t, res["msg"], "idmapped: the folder is owned by host 1001:1001, not 1000:1000 (host_owner)")
	assert.Equal(t, "1001:1001", owner(t, media))
}

// The emulator refuses idmap= as a pve-container older than 6.1.6 does.
func TestEmulatorRefusesMountIdmapBefore616(t *testing.T) {
	h := newHost(t)
	require.Equal(t, false, h.run(map[string]any{"config_file": h.oneContainer(nil), "state": "stopped"})["failed"])
	h.pveContainer("6.1.5")
	dir := filepath.Join(h.vols, "x")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	out, err := h.pctOut("set", "900", "--mp0", dir+",mp=/x,idmap=u:0:1000:1")
	require.Error(t, err)
	assert.Contains(t, out, "invalid key in comma-separated list property: idmap")
}

// When the mount's idmap is not in force (here a pct that drops it, as a
// node would that ignored the option), the gate sees the owner inside the
// container is wrong and the run fails saying so.
func TestIdmappedVolumeNotInForceFailsTheGate(t *testing.T) {
	h := newHost(t)
	h.pveContainer("6.1.6")
	media := filepath.Join(h.vols, "media")
	require.NoError(t, os.MkdirAll(media, 0o755))
	require.NoError(t, os.Chown(media, 1000, 1000))
	h.write("pctdrop", "#!/bin/bash\nexec "+filepath.Join(binDir, "pct")+" \"${@/,idmap=u:1000:1000:1;g:1000:1000:1/}\"\n", 0o755)
	res := h.run(map[string]any{"config_file": h.oneContainer(idmapped(media, nil))}, "PHOENIX_LXC_PCT="+filepath.Join(h.dir, "pctdrop"))
	require.Equal(t, true, res["failed"])
	assert.Contains(t, res["msg"], "is mounted idmapped at /media, and inside CT 900 it shows owner 65534:65534, not 1000:1000")
	assert.Equal(t, "1000:1000", owner(t, media), "and nothing was chowned")
}

// LXC cannot express the map of one owner on a mount: the lxc backend
// refuses an idmapped volume before it creates anything.
func TestLXCRefusesIdmappedVolume(t *testing.T) {
	h := newLXCHost(t)
	const id = 9150
	spec := map[int]map[string]any{id: {"name": "idm", "memory_mb": 128, "cores": 1, "template": "lxc:busybox",
		"shared_volumes": []map[string]any{{"host_path": filepath.Join(h.vols, "m"), "mount_path": "/m", "owner": "1000:1000", "idmapped": true}}}}
	for _, check := range []bool{true, false} {
		res := h.run(h.fleet(spec), map[string]any{"_ansible_check_mode": check})
		require.Equal(t, true, res["failed"], "check=%v", check)
		assert.Contains(t, res["msg"], "shared_volumes.0.idmapped: the lxc backend cannot make this idmapped mount")
		_, err := os.Stat(filepath.Join(h.lxcpath, "9150"))
		assert.True(t, os.IsNotExist(err), "nothing created")
	}
}
