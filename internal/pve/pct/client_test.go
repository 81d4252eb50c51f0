package pct

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestArgvShapes(t *testing.T) {
	c := testClient(nil, "/")
	j := func(a []string) string { return strings.Join(a, " ") }
	assert.Equal(t, "/usr/sbin/pct create 105 local:vztmpl/d.tar.zst --unprivileged 1 --memory 512",
		j(c.CreateArgv(105, "local:vztmpl/d.tar.zst", []Opt{Bool("unprivileged", true), Opt{"memory", "512"}})))
	assert.Equal(t, "/usr/sbin/pct clone 900 901 --snapname golden --full 0",
		j(c.CloneArgv(900, 901, []Opt{{"snapname", "golden"}, Bool("full", false)})))
	assert.Equal(t, "/usr/sbin/pct destroy 105 --purge 1", j(c.DestroyArgv(105)))
	assert.Equal(t, "/usr/sbin/pct exec 105 --keep-env 0 -- ls -la /", j(c.ExecArgv(105, []string{"ls", "-la", "/"})),
		"the command's own flags follow --")
	assert.Equal(t, "/usr/sbin/pct resize 105 rootfs 32G", j(c.ResizeArgv(105, "rootfs", 32)))
	assert.Equal(t, "/usr/sbin/pct push 105 /tmp/x /etc/y --perms 0644", j(c.PushArgv(105, "/tmp/x", "/etc/y", "0644")))
	assert.Equal(t, "/usr/sbin/pct snapshot 105 golden", j(c.SnapshotArgv(105, "golden", nil)))
}

func TestTheRootPointsTheClient(t *testing.T) {
	c := NewClient(nil, "/opt/emu/pct", "/tmp/state")
	assert.Equal(t, "/opt/emu/pct", c.Pct)
	assert.Equal(t, "/tmp/state/etc/pve/lxc/105.conf", c.Conf(105))
	assert.Equal(t, "/tmp/state/run/lock/lxc/pve-config-105.lock", c.Lock(105))
	assert.Equal(t, "/tmp/state/var/lib/lxc/105/config", c.Generated(105))
	assert.Equal(t, "/tmp/state/etc/pve/firewall/105.fw", c.Firewall(105))
}
