package pve

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestArgvShapes(t *testing.T) {
	c := testClient(nil, "/")
	j := func(a []string) string { return strings.Join(a, " ") }
	assert.Equal(t, "/usr/sbin/pct create 105 local:vztmpl/d.tar.zst --unprivileged 1 --memory 512",
		j(c.CreateArgv(105, "local:vztmpl/d.tar.zst", []Opt{Bool("unprivileged", true), Int("memory", 512)})))
	assert.Equal(t, "/usr/sbin/pct clone 900 901 --snapname golden --full 0",
		j(c.CloneArgv(900, 901, []Opt{{"snapname", "golden"}, Bool("full", false)})))
	assert.Equal(t, "/usr/sbin/pct destroy 105 --purge 1", j(c.DestroyArgv(105)))
	assert.Equal(t, "/usr/sbin/pct exec 105 --keep-env 0 -- ls -la /", j(c.ExecArgv(105, []string{"ls", "-la", "/"})),
		"the command's own flags follow --")
	assert.Equal(t, "/usr/sbin/pct resize 105 rootfs 32G", j(c.ResizeArgv(105, "rootfs", 32)))
	assert.Equal(t, "/usr/sbin/pct push 105 /tmp/x /etc/y --perms 0644", j(c.PushArgv(105, "/tmp/x", "/etc/y", "0644")))
	assert.Equal(t, "/usr/sbin/pct snapshot 105 golden", j(c.SnapshotArgv(105, "golden", nil)))
}

func TestEnvironmentPointsTheClient(t *testing.T) {
	t.Setenv(EnvPct, "/opt/emu/pct")
	t.Setenv(EnvPveRoot, "/tmp/state")
	c := NewClient(nil)
	assert.Equal(t, "/opt/emu/pct", c.Pct)
	assert.Equal(t, "/tmp/state/etc/pve/lxc/105.conf", c.Conf(105))
	assert.Equal(t, "/tmp/state/run/lock/lxc/pve-config-105.lock", c.Lock(105))
	assert.Equal(t, "/tmp/state/var/lib/lxc/105/config", c.Generated(105))
	assert.Equal(t, "/tmp/state/etc/pve/firewall/105.fw", c.Firewall(105))
}

func TestParseList(t *testing.T) {
	out := "VMID       Status     Lock         Name                \n" +
		"100        running                 web01               \n" +
		"101        stopped    backup       db01                \n" +
		"102        stopped    snapshot-delete tpl              \n"
	rows, err := ParseList(out)
	require.NoError(t, err)
	assert.Equal(t, ListEntry{CTID: 100, Running: true, Name: "web01"}, rows[100])
	assert.Equal(t, ListEntry{CTID: 101, Lock: "backup", Name: "db01"}, rows[101])
	assert.Equal(t, "snapshot-delete", rows[102].Lock, "a lock wider than its column still parses")

	rows, err = ParseList("")
	require.NoError(t, err, "no containers: pct prints nothing")
	assert.Empty(t, rows)

	_, err = ParseList("VMID Status Lock Name\nabc running x\n")
	assert.ErrorContains(t, err, "pct list")
}

func TestListRunsOnePct(t *testing.T) {
	f := newFake(t, call{argv: "PCT list", stdout: "VMID       Status     Lock         Name\n100        running                 a\n"})
	rows, err := testClient(f, "/").List(context.Background())
	require.NoError(t, err)
	assert.True(t, rows[100].Running)
}
