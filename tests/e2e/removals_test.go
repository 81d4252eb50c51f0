package e2e

// Issue 15 point 2: what the spec no longer lists and phoenix_lxc made is
// removed in one batched pct set --delete; what it never made stays.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fullSpec is a container with two interfaces, a shared volume, a GPU,
// two tags and two feature flags.
func (h *host) fullSpec() map[string]any {
	return map[string]any{
		"networks":       []map[string]any{{"name": "eth0", "bridge": "vmbr0", "ip": "dhcp"}, {"name": "eth1", "bridge": "vmbr0", "ip": "manual"}},
		"shared_volumes": []map[string]any{{"host_path": filepath.Join(h.vols, "data"), "mount_path": "/data", "owner": "1000:1000"}},
		"gpu_assignment": "0", "tags": []string{"web", "prod"}, "pct_options": []string{"nesting=1", "keyctl=1"},
	}
}

func (h *host) gpus() {
	for _, d := range []string{"nvidia0", "nvidiactl", "nvidia-uvm", "nvidia-uvm-tools"} {
		h.write("root/dev/"+d, "", 0o644)
	}
}

// pct runs the emulator as a user would, outside the module.
func (h *host) pct(args ...string) {
	h.t.Helper()
	out, err := h.pctOut(args...)
	require.NoError(h.t, err, "pct %v: %s", args, out)
}

// pctOut runs the emulator and returns what it printed.
func (h *host) pctOut(args ...string) (string, error) {
	cmd := exec.Command(filepath.Join(binDir, "pct"), args...)
	cmd.Env = h.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestDroppedNICVolumeGPUTagAndFlagAreRemovedInOneSet(t *testing.T) {
	h := newHost(t)
	h.gpus()
	spec := h.fullSpec()
	res := h.run(map[string]any{"config_file": h.oneContainer(spec)})
	require.Equal(t, false, res["failed"], res["msg"])
	c := h.conf("900")
	for _, k := range []string{"net1: ", "mp0: ", "dev3: ", "tags: prod;web", "features: keyctl=1,nesting=1"} {
		require.Contains(t, c, k)
	}
	// The user's own mount point, set by hand on the running container.
	own := filepath.Join(h.vols, "own")
	require.NoError(t, os.MkdirAll(own, 0o755))
	h.pct("set", "900", "--mp5", own+",mp=/own")

	spec["networks"] = spec["networks"].([]map[string]any)[:1]
	delete(spec, "shared_volumes")
	delete(spec, "gpu_assignment")
	spec["tags"] = []string{"web"}
	spec["pct_options"] = []string{"nesting=1"}
	cfg := h.oneContainer(spec)

	h.resetLog()
	plan := h.run(map[string]any{"config_file": cfg, "_ansible_check_mode": true, "_ansible_diff": true})
	require.Equal(t, false, plan["failed"], plan["msg"])
	assert.Empty(t, h.mutations(), "check mode changes nothing")
	var sets []string
	for _, a := range actions(plan) {
		if strings.Contains(a, "pct set") {
			sets = append(sets, a)
		}
	}
	require.Len(t, sets, 1, "one batched set: %v", actions(plan))
	assert.Contains(t, sets[0], "--features nesting=1 --tags web")
	assert.Contains(t, sets[0], "--delete dev0,dev1,dev2,dev3,mp0,net1")
	assert.NotContains(t, sets[0], "mp5")
	warnings := fmt.Sprint(plan["warnings"])
	assert.Contains(t, warnings, "CT 900 has mp5, which the spec does not list and phoenix_lxc did not make")
	assert.Contains(t, warnings, "wait for a restart", "the mount point and devices of a running container are deleted at its next start")
	d := byCTID(plan)["900"]["diff"].(map[string]any)
	assert.Contains(t, fmt.Sprint(d["before"]), "net1: ")
	assert.NotContains(t, fmt.Sprint(d["after"]), "net1: ", "a NIC goes at once")
	assert.Contains(t, fmt.Sprint(d["after"]), "delete: dev0,dev1,dev2,dev3,mp0", "the rest waits in [pve:pending]")

	h.resetLog()
	res = h.run(map[string]any{"config_file": cfg, "allow_restart": true})
	require.Equal(t, false, res["failed"], res["msg"])
	c = h.conf("900")
	for _, k := range []string{"net1: ", "mp0: ", "dev0: ", "dev3: ", "prod", "keyctl", "[pve:pending]"} {
		assert.NotContains(t, c, k)
	}
	assert.Contains(t, c, "mp5: "+own+",mp=/own", "the user's own mount point survives")
	assert.Regexp(t, `(?s)set 900 .*--delete dev0,dev1,dev2,dev3,mp0,net1.*stop 900.*start 900`, strings.Join(h.mutations(), "\n"))

	h.resetLog()
	res = h.run(map[string]any{"config_file": cfg})
	assert.Equal(t, false, res["changed"], actions(res))
	assert.Empty(t, h.mutations())
	assert.Contains(t, fmt.Sprint(res["warnings"]), "mp5")
}

// A stopped container loses everything at once; a protected one refuses
// the removal of a mount point, naming protection, unless the spec lifts
// protection, which then goes first in a set of its own.
func TestRemovalOnAProtectedContainer(t *testing.T) {
	h := newHost(t)
	spec := h.fullSpec()
	delete(spec, "gpu_assignment")
	spec["protection"] = true
	res := h.run(map[string]any{"config_file": h.oneContainer(spec)})
	require.Equal(t, false, res["failed"], res["msg"])
	h.pct("stop", "900")

	delete(spec, "shared_volumes")
	h.refused(h.oneContainer(spec), "CT 900 is protected (protection: 1), and Proxmox refuses to remove its mount point mp0")

	spec["protection"] = false
	h.resetLog()
	res = h.run(map[string]any{"config_file": h.oneContainer(spec), "state": "stopped"})
	require.Equal(t, false, res["failed"], res["msg"])
	m := h.mutations()
	require.GreaterOrEqual(t, len(m), 2, "%v", m)
	assert.Equal(t, "set 900 --protection 0", strings.TrimPrefix(m[0], "pct "))
	assert.Contains(t, m[1], "--delete mp0")
	assert.NotContains(t, h.conf("900"), "mp0: ")
}

// The managed record sits in the notes, which a Proxmox user without disk
// or device rights may edit: a forged record listing a storage volume and
// another device removes neither; a listed bind mount the spec does not
// have is removed (taking access away is all a forged record can do).
func TestAForgedManagedRecordRemovesOnlyWhatPhoenixMakes(t *testing.T) {
	h := newHost(t)
	res := h.run(map[string]any{"config_file": h.oneContainer(nil), "state": "stopped"})
	require.Equal(t, false, res["failed"], res["msg"])
	own := filepath.Join(h.vols, "own")
	require.NoError(t, os.MkdirAll(own, 0o755))
	h.write("root/dev/sda", "", 0o644)
	h.pct("set", "900", "--mp1", "local-lvm:4,mp=/db", "--dev0", "/dev/sda", "--mp2", own+",mp=/own",
		"--description", "phoenix_lxc: managed=dev0,mp1,mp2\n")
	h.resetLog()
	res = h.run(map[string]any{"config_file": h.oneContainer(nil), "state": "stopped"})
	require.Equal(t, false, res["failed"], res["msg"])
	c := h.conf("900")
	assert.Contains(t, c, "mp1: ")
	assert.Contains(t, c, "dev0: /dev/sda")
	assert.NotContains(t, c, "mp2: ")
}
