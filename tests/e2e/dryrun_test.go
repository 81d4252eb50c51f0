package e2e

// Check mode fails where the real run would (issue 11 point 5, issue 14
// point 1): a plan that cannot be made is an error at planning, with the
// same step and message in a dry run as in a real one.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// failure is the step and message of a one-container result.
func failure(t *testing.T, res map[string]any) (step, msg string) {
	t.Helper()
	require.Equal(t, true, res["failed"], res["msg"])
	cs := byCTID(res)
	require.Len(t, cs, 1)
	for _, c := range cs {
		return fmt.Sprint(c["step"]), fmt.Sprint(c["msg"])
	}
	return "", ""
}

func TestMissingTemplateFailsInCheckModeAsInARealRun(t *testing.T) {
	for _, tpl := range []string{"local:vztmpl/bussybox.tar.zst", "/var/lib/vz/template/cache/missing.tar.zst"} {
		h := newHost(t)
		cfg := h.oneContainer(map[string]any{"template": tpl})
		checkStep, checkMsg := failure(t, h.run(map[string]any{"config_file": cfg, "_ansible_check_mode": true}))
		realStep, realMsg := failure(t, h.run(map[string]any{"config_file": cfg}))
		assert.Equal(t, "define", checkStep)
		assert.Equal(t, realStep, checkStep, "same step")
		assert.Equal(t, realMsg, checkMsg, "same message")
		assert.Contains(t, checkMsg, "can't find file '"+tpl+"'")
		assert.Empty(t, h.mutations(), "no pct create was even tried")
	}
}

func TestLXCMissingTemplateFailsInCheckModeAsInARealRun(t *testing.T) {
	h := newLXCHost(t)
	for _, tpl := range []string{"lxc:../../bin/sh", "/nonexistent/rootfs.tar.zst", "local:vztmpl/debian.tar.zst"} {
		cfg := h.fleet(map[int]map[string]any{9190: {"name": "t", "memory_mb": 128, "cores": 1, "template": tpl, "unprivileged": true}})
		checkStep, checkMsg := failure(t, h.run(cfg, map[string]any{"_ansible_check_mode": true}))
		realStep, realMsg := failure(t, h.run(cfg, nil))
		assert.Equal(t, "define", checkStep, tpl)
		assert.Equal(t, realStep, checkStep, tpl)
		assert.Equal(t, realMsg, checkMsg, tpl)
		assert.Contains(t, checkMsg, "template", tpl)
	}
}

// Pseudo-commands (file edits, records, volume hand-overs) say so in the
// result, so nobody takes them for a command line.
func TestPseudoCommandsAreMarked(t *testing.T) {
	h := newHost(t)
	res := h.run(map[string]any{"config_file": h.fleet(), "_ansible_check_mode": true})
	require.Equal(t, false, res["failed"], res["msg"])
	pseudo := map[string]bool{}
	cs, _ := res["containers"].([]any)
	for _, c := range cs {
		for _, a := range c.(map[string]any)["actions"].([]any) {
			a := a.(map[string]any)
			if a["pseudo"] == true {
				pseudo[fmt.Sprint(a["action"])] = true
			} else {
				assert.Regexp(t, `^/\S+ `, a["command"], "a real command line starts with the program's path: %v", a)
			}
		}
	}
	assert.Equal(t, map[string]bool{"edit": true, "write": true, "mkdir": true, "prepare_volume": true}, pseudo)
}

// Check-mode predictions of the conf after create equal what the real run
// then writes, on a dir, an LVM-thin and a ZFS storage (issue 13 point 2:
// the volume names follow the storage's type; clones allocate the same
// way, see pctemu TestVolumeNamesFollowTheStorageType). A snapshot's
// section is not predicted (its snaptime is the clock's).
func TestCheckModePredictsTheConfOnEveryStorageType(t *testing.T) {
	for _, store := range []string{"local", "thin", "tank"} {
		h := newHost(t)
		h.write("root/etc/pve/storage.cfg", "dir: local\n\tpath /var/lib/vz\n\tcontent vztmpl,rootdir\n\n"+
			"zfspool: tank\n\tpool tank/ct\n\tcontent rootdir,images\n\n"+
			"lvmthin: thin\n\tvgname pve\n\tthinpool data\n\tcontent rootdir,images\n", 0o644)
		cfg := h.oneContainer(map[string]any{"storage_pool": store})
		args := map[string]any{"config_file": cfg, "_ansible_diff": true}
		plan := h.run(map[string]any{"config_file": cfg, "_ansible_diff": true, "_ansible_check_mode": true})
		real := h.run(args)
		require.Equal(t, false, real["failed"], real["msg"])
		after := func(res map[string]any) string {
			d, _ := res["diff"].(map[string]any)
			if d == nil {
				for _, c := range byCTID(res) {
					d, _ = c["diff"].(map[string]any)
				}
			}
			require.NotNil(t, d, "a diff: %v", res)
			return fmt.Sprint(d["after"])
		}
		assert.Equal(t, after(real), after(plan), "%s: the predicted conf is the real one", store)
		assert.Contains(t, after(real), map[string]string{"local": "local:900/vm-900-disk-0.raw", "thin": "thin:vm-900-disk-0", "tank": "tank:subvol-900-disk-0"}[store])
	}
}

// A storage that does not exist, holds no container volumes, or cannot
// snapshot a template fails before anything is created, in check mode as
// in a real run, naming the field and the storage (issue 13 point 3, in
// part).
func TestStorageThatCannotServeTheSpecFailsBeforeCreate(t *testing.T) {
	cfgText := "dir: local\n\tpath /var/lib/vz\n\tcontent vztmpl,rootdir\n\n" +
		"dir: iso\n\tpath /srv/iso\n\tcontent iso\n\n" +
		"zfspool: tank\n\tpool tank/ct\n\tcontent rootdir\n"
	for _, c := range []struct {
		extra map[string]any
		want  string
	}{
		{map[string]any{"storage_pool": "nosuch"}, "storage_pool: storage 'nosuch' does not exist"},
		{map[string]any{"storage_pool": "iso"}, "storage_pool: storage 'iso' does not hold container volumes"},
		{map[string]any{"storage_pool": "local", "template_snapshot_name": "base"}, "template_snapshot_name: storage 'local' (type dir) cannot snapshot"},
	} {
		h := newHost(t)
		h.write("root/etc/pve/storage.cfg", cfgText, 0o644)
		cfg := h.oneContainer(c.extra)
		checkStep, checkMsg := failure(t, h.run(map[string]any{"config_file": cfg, "_ansible_check_mode": true}))
		realStep, realMsg := failure(t, h.run(map[string]any{"config_file": cfg}))
		assert.Equal(t, "define", checkStep, c.want)
		assert.Equal(t, realStep, checkStep)
		assert.Equal(t, realMsg, checkMsg)
		assert.Contains(t, checkMsg, c.want)
		assert.Empty(t, h.mutations(), "nothing was created")
	}
	h := newHost(t)
	h.write("root/etc/pve/storage.cfg", cfgText, 0o644)
	res := h.run(map[string]any{"config_file": h.oneContainer(map[string]any{"storage_pool": "tank", "template_snapshot_name": "base"})})
	require.Equal(t, false, res["failed"], res["msg"])
}

// A bridge the node does not have fails before anything is created or set
// (pct start would fail later: update_lxc_config reads its MTU through
// pve-common Network.pm read_bridge_mtu, "bridge '<b>' does not exist"),
// in check mode as in a real run; and so does a spec that moves an
// existing container to one.
func TestMissingBridgeFailsInCheckModeAsInARealRun(t *testing.T) {
	h := newHost(t)
	net := map[string]any{"network_config": map[string]any{"name": "eth0", "bridge": "vmbr9", "ip": "dhcp"}}
	cfg := h.oneContainer(net)
	checkStep, checkMsg := failure(t, h.run(map[string]any{"config_file": cfg, "_ansible_check_mode": true}))
	realStep, realMsg := failure(t, h.run(map[string]any{"config_file": cfg}))
	assert.Equal(t, "define", checkStep)
	assert.Equal(t, realStep, checkStep)
	assert.Equal(t, realMsg, checkMsg)
	assert.Contains(t, checkMsg, "bridge 'vmbr9' does not exist")
	assert.Empty(t, h.mutations(), "nothing was created")

	res := h.run(map[string]any{"config_file": h.oneContainer(map[string]any{"network_config": map[string]any{"name": "eth0", "bridge": "vmbr0", "ip": "dhcp"}})})
	require.Equal(t, false, res["failed"], res["msg"])
	h.resetLog()
	cfg = h.oneContainer(net)
	checkStep, checkMsg = failure(t, h.run(map[string]any{"config_file": cfg, "_ansible_check_mode": true}))
	realStep, realMsg = failure(t, h.run(map[string]any{"config_file": cfg}))
	assert.Equal(t, "configure", checkStep)
	assert.Equal(t, realStep, checkStep)
	assert.Equal(t, realMsg, checkMsg)
	assert.Contains(t, checkMsg, "bridge 'vmbr9' does not exist")
	assert.Empty(t, h.mutations(), "nothing was set")
}

// Every missing GPU device node is named in one message, in check mode
// as in a real run.
func TestEveryMissingGPUDeviceIsNamedAtOnce(t *testing.T) {
	h := newHost(t)
	h.write("root/dev/nvidia0", "", 0o644)
	cfg := h.oneContainer(map[string]any{"gpu_assignment": "0,1"})
	checkStep, checkMsg := failure(t, h.run(map[string]any{"config_file": cfg, "_ansible_check_mode": true}))
	realStep, realMsg := failure(t, h.run(map[string]any{"config_file": cfg}))
	assert.Equal(t, realStep, checkStep)
	assert.Equal(t, realMsg, checkMsg)
	for _, d := range []string{"/dev/nvidia1", "/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools"} {
		assert.Contains(t, checkMsg, d+" (")
	}
	assert.NotContains(t, checkMsg, "/dev/nvidia0 (", "the device that is there is not named")
	assert.Empty(t, h.mutations())
}

// Without root nothing is read or run, in check mode too: the module and
// the command line both say so first.
func TestANonRootRunIsRefusedInBothModes(t *testing.T) {
	h := newHost(t)
	cfg := h.oneContainer(nil)
	open := openDir(t) // an args file the unprivileged user can read
	for _, check := range []bool{true, false} {
		args := filepath.Join(open, "args.json")
		data, _ := json.Marshal(map[string]any{"config_file": cfg, "ctid": 900, "_ansible_check_mode": check})
		require.NoError(t, os.WriteFile(args, data, 0o644))
		out, code := asNobody(t, h, args)
		assert.Equal(t, 1, code)
		var res map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &res), out)
		assert.Equal(t, true, res["failed"])
		assert.Contains(t, res["msg"], "phoenix_lxc must run as root (become: true)")
	}
	out, code := asNobody(t, h, "run", "--check", "--config", cfg, "--ctid", "900")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "phoenix_lxc must run as root (sudo")
	assert.Empty(t, h.pctCalls(), "pct was never called")
}

// asNobody runs the built binary as uid/gid 65534 and returns its stdout
// and exit code.
func asNobody(t *testing.T, h *host, args ...string) (string, int) {
	t.Helper()
	bin := filepath.Join(openDir(t), "phoenix_lxc")
	data, err := os.ReadFile(filepath.Join(binDir, "phoenix_lxc"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(bin, data, 0o755))
	cmd := exec.Command(bin, args...)
	cmd.Env = h.env
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.Output()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		require.NoError(t, err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

// openDir is a folder every user can reach (t.TempDir's parent is 0700).
func openDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "phoenix-open-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	return dir
}
