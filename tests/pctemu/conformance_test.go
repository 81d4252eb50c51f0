package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestConformance checks pct's exit codes and exact stderr texts
// (pct-spec §1.2, §1.3, §3.19, §8.1), one case per rule.
func TestConformance(t *testing.T) {
	const ct = "local:vztmpl/debian-12.tar.zst"
	stopped := func(h *host) { h.create("100") }
	running := func(h *host) { h.create("100"); h.ok("start", "100") }
	withBind := func(h *host) { h.create("100"); h.ok("set", "100", "--mp0", "/tmp,mp=/data") }
	locked := func(h *host) { h.create("100"); h.ok("set", "100", "--lock", "backup") }
	template := func(h *host) { h.create("100"); h.ok("template", "100") }
	snap := func(h *host) { h.create("100"); h.ok("snapshot", "100", "s1") }
	cases := []struct {
		name  string
		setup func(*host)
		args  []string
		code  int
		err   string
	}{
		{"missing config", nil, []string{"config", "100"}, 255, "Configuration file 'nodes/pve/lxc/100.conf' does not exist\n"},
		{"status missing", nil, []string{"status", "100"}, 255, "Configuration file 'nodes/pve/lxc/100.conf' does not exist\n"},
		{"start missing is a task error", nil, []string{"start", "100"}, 255, "Configuration file 'nodes/pve/lxc/100.conf' does not exist\n"},
		{"stop missing says not running", nil, []string{"stop", "100"}, 255, "CT 100 not running\n"},
		{"shutdown stopped", stopped, []string{"shutdown", "100"}, 255, "CT 100 not running\n"},
		{"reboot says VM", stopped, []string{"reboot", "100"}, 255, "VM 100 not running\n"},
		{"start running", running, []string{"start", "100"}, 255, "CT 100 already running\n"},
		{"exec stopped", stopped, []string{"exec", "100", "--", "true"}, 255, "container '100' not running!\n"},
		{"create existing", stopped, []string{"create", "100", ct}, 255, "CT 100 already exists on node 'pve'\n"},
		{"clone onto existing", func(h *host) { h.create("100"); h.create("101") }, []string{"clone", "100", "101"}, 255, "CT 101 already exists on node 'pve'\n"},
		{"unprivileged read-only", stopped, []string{"set", "100", "--unprivileged", "1"}, 255, "unable to modify read-only option: 'unprivileged'\n"},
		{"unprivileged not deletable", stopped, []string{"set", "100", "--delete", "unprivileged"}, 255, "unable to delete read-only option: 'unprivileged'\n"},
		{"memory required", stopped, []string{"set", "100", "--delete", "memory"}, 255, "unable to delete required option 'memory'\n"},
		{"rootfs required", stopped, []string{"set", "100", "--delete", "rootfs"}, 255, "unable to delete required option 'rootfs'\n"},
		{"ostype required", stopped, []string{"set", "100", "--delete", "ostype"}, 255, "unable to delete required option 'ostype'\n"},
		{"delete unknown", stopped, []string{"set", "100", "--delete", "foo"}, 255, "400 Parameter verification failed.\ndelete: unknown option 'foo'\npct set <vmid> [OPTIONS]\n"},
		{"delete and set", stopped, []string{"set", "100", "--swap", "1", "--delete", "swap"}, 255, "400 Parameter verification failed.\ndelete: you can't use '-swap' and -delete swap' at the same time\npct set <vmid> [OPTIONS]\n"},
		{"no options", stopped, []string{"set", "100"}, 255, "no options specified\n"},
		{"locked set", locked, []string{"set", "100", "--memory", "256"}, 255, "CT is locked (backup)\n"},
		{"locked start", locked, []string{"start", "100"}, 255, "CT is locked (backup)\n"},
		{"locked destroy", locked, []string{"destroy", "100"}, 255, "CT is locked (backup)\n"},
		{"locked snapshot", locked, []string{"snapshot", "100", "s1"}, 255, "CT is locked (backup)\n"},
		{"locked clone source", locked, []string{"clone", "100", "101"}, 255, "CT is locked (backup)\n"},
		{"bad vmid", nil, []string{"status", "99"}, 255, "400 Parameter verification failed.\nvmid: invalid format - value does not look like a valid VM ID\npct status <vmid> [OPTIONS]\n"},
		{"bad integer", stopped, []string{"set", "100", "--memory", "abc"}, 255, "400 Parameter verification failed.\nmemory: type check ('integer') failed - got 'abc'\npct set <vmid> [OPTIONS]\n"},
		{"memory minimum", stopped, []string{"set", "100", "--memory", "8"}, 255, "400 Parameter verification failed.\nmemory: value must have a minimum value of 16\npct set <vmid> [OPTIONS]\n"},
		{"bare boolean swallows", stopped, []string{"clone", "--full", "100", "101"}, 255, "400 Parameter verification failed.\nfull: unable to parse boolean option\npct clone <vmid> <newid> [OPTIONS]\n"},
		{"unknown option", stopped, []string{"set", "100", "--bogus", "1"}, 255, "Unknown option: bogus\n400 unable to parse option\npct set <vmid> [OPTIONS]\n"},
		{"not enough arguments", nil, []string{"status"}, 255, "400 not enough arguments\npct status <vmid> [OPTIONS]\n"},
		{"too many arguments", stopped, []string{"status", "100", "101"}, 255, "400 too many arguments\npct status <vmid> [OPTIONS]\n"},
		{"snapshot reserved", stopped, []string{"snapshot", "100", "current"}, 255, "unable to use snapshot name 'current' (reserved name)\n"},
		{"snapshot reserved vzdump", stopped, []string{"snapshot", "100", "vzdump"}, 255, "unable to use snapshot name 'vzdump' (reserved name)\n"},
		{"snapshot name too short", stopped, []string{"snapshot", "100", "a"}, 255, "400 Parameter verification failed.\nsnapname: invalid format - invalid configuration ID 'a'\npct snapshot <vmid> <snapname> [OPTIONS]\n"},
		{"snapshot used", snap, []string{"snapshot", "100", "s1"}, 255, "snapshot name 's1' already used\n"},
		{"snapshot bind", withBind, []string{"snapshot", "100", "s1"}, 255, "snapshot feature is not available\n"},
		{"snapshot template", template, []string{"snapshot", "100", "s1"}, 255, "you can't take a snapshot if it's a template\n"},
		{"clone bind", withBind, []string{"clone", "100", "101"}, 255, "unable to clone mountpoint 'mp0' (type bind)\n"},
		{"clone missing snapshot", stopped, []string{"clone", "100", "101", "--snapname", "nope"}, 255, "snapshot 'nope' does not exist\n"},
		{"template bind exits 0", withBind, []string{"template", "100"}, 0, "Template feature is not available for '/tmp'\n"},
		{"template with snapshots", snap, []string{"template", "100"}, 255, "unable to create template, because CT contains snapshots\n"},
		{"template twice", template, []string{"template", "100"}, 255, "you can't convert a template to a template\n"},
		{"template running", running, []string{"template", "100"}, 255, "you can't convert a CT to template if the CT is running\n"},
		{"start template", template, []string{"start", "100"}, 255, "you can't start a CT if it's a template\n"},
		{"rollback template", template, []string{"rollback", "100", "s1"}, 255, "you can't rollback if vm is a template\n"},
		{"rollback missing", stopped, []string{"rollback", "100", "s1"}, 255, "snapshot 's1' does not exist\n"},
		{"delsnapshot missing", stopped, []string{"delsnapshot", "100", "s1"}, 255, "snapshot 's1' does not exist\n"},
		{"destroy running", running, []string{"destroy", "100"}, 255, "unable to destroy CT 100 - container is running\n"},
		{"resize shrink", stopped, []string{"resize", "100", "rootfs", "2G"}, 255, "unable to shrink disk size\n"},
		{"resize same", stopped, []string{"resize", "100", "rootfs", "4G"}, 255, "disk is already at specified size\n"},
		{"push stopped", stopped, []string{"push", "100", "/etc/hostname", "/x"}, 255, "can only push files to a running CT\n"},
		{"push missing dir exits 0", running, []string{"push", "100", "/etc/hostname", "/no/x"}, 0, "failed to create file: /no/x: No such file or directory\n"},
		{"unlock without lock", stopped, []string{"unlock", "100"}, 255, "no lock found trying to remove any lock\n"},
		{"unmount double space", stopped, []string{"unmount", "100"}, 255, "no lock found trying to remove 'mounted'  lock\n"},
		{"unmount other lock", locked, []string{"unmount", "100"}, 255, "found lock 'backup' trying to remove 'mounted' lock\n"},
		{"config snapshot and current", stopped, []string{"config", "100", "--snapshot", "s1", "--current", "1"}, 255, "400 Parameter verification failed.\nsnapshot: cannot use 'snapshot' parameter with 'current'\npct config <vmid> [OPTIONS]\n"},
		{"config unknown snapshot", stopped, []string{"config", "100", "--snapshot", "s1"}, 255, "snapshot 's1' does not exist\n"},
		{"missing template", nil, []string{"create", "100", "local:vztmpl/nope.tar.zst"}, 255, "can't find file 'local:vztmpl/nope.tar.zst'\n"},
		{"mount points without rootfs", nil, []string{"create", "100", ct, "--mp0", "local:4,mp=/x"}, 255, "mount points configured, but 'rootfs' not set - aborting\n"},
		{"hotplug missing bind dir", running, []string{"set", "100", "--mp0", "/nonexistent-pctemu,mp=/data"}, 255, "400 Parameter verification failed.\nmp0: unable to hotplug mp0: directory '/nonexistent-pctemu' does not exist\npct set <vmid> [OPTIONS]\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHost(t)
			if tc.setup != nil {
				tc.setup(h)
			}
			r := h.pct(tc.args...)
			assert.Equal(t, tc.code, r.code, "exit code; stderr %q", r.stderr)
			assert.Equal(t, tc.err, r.stderr)
		})
	}
}

// TestUnknownAndAbbreviatedCommands checks command-name resolution.
func TestUnknownAndAbbreviatedCommands(t *testing.T) {
	h := newHost(t)
	h.create("100")
	r := h.pct("conf", "100")
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stdout, "hostname: CT100\n")
	for _, cmd := range []string{"sta", "bogus"} {
		r = h.pct(cmd, "100")
		assert.Equal(t, 255, r.code)
		assert.Contains(t, r.stderr, "ERROR: unknown command 'pct "+cmd+"'\n")
	}
	r = h.pct("set", "100", "-memory", "256")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, h.read("etc/pve/lxc/100.conf"), "memory: 256\n")
}
