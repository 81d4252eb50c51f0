package e2e

// Issue 15 point 1: several network interfaces.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func twoNICs() []map[string]any {
	return []map[string]any{
		{"name": "eth0", "bridge": "vmbr0", "ip": "10.0.0.5/24", "gw": "10.0.0.1", "ip6": "fd00::5/64", "gw6": "fd00::1",
			"tag": 20, "mtu": 1400, "rate": 12.5, "mac_address": "52:54:00:aa:bb:01"},
		{"name": "eth1", "bridge": "vmbr1", "ip": "dhcp", "ip6": "auto", "firewall": false},
	}
}

// netLine is the value of key in the conf's main section.
func netLine(conf, key string) string {
	m := regexp.MustCompile(`(?m)^` + key + `: (.*)$`).FindStringSubmatch(strings.SplitN(conf, "\n\n", 2)[0])
	if m == nil {
		return ""
	}
	return m[1]
}

// Every interface of networks is netN as Proxmox stores it (name first,
// the rest sorted; the MAC upper case; firewall from firewall.enabled
// unless the interface says otherwise); a rerun changes nothing.
func TestSeveralNetworkInterfacesConverge(t *testing.T) {
	h := newHost(t)
	h.write("root/sys/class/net/vmbr1/mtu", "1500\n", 0o644)
	spec := map[string]any{"networks": twoNICs(), "firewall": map[string]any{"enabled": true}}
	cfg := h.oneContainer(spec)

	h.resetLog()
	res := h.run(map[string]any{"config_file": cfg, "_ansible_check_mode": true})
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Empty(t, h.mutations())
	plan := strings.Join(actions(res), "\n")
	assert.Contains(t, plan, "--net1 name=eth1,bridge=vmbr1,firewall=0,ip=dhcp,ip6=auto,type=veth")

	res = h.run(map[string]any{"config_file": cfg})
	require.Equal(t, false, res["failed"], res["msg"])
	c := h.conf("900")
	assert.Equal(t, "name=eth0,bridge=vmbr0,firewall=1,gw=10.0.0.1,gw6=fd00::1,hwaddr=52:54:00:AA:BB:01,ip=10.0.0.5/24,ip6=fd00::5/64,mtu=1400,rate=12.5,tag=20,type=veth", netLine(c, "net0"))
	assert.Regexp(t, `^name=eth1,bridge=vmbr1,firewall=0,hwaddr=BC:24:11:[0-9A-F:]{8},ip=dhcp,ip6=auto,type=veth$`, netLine(c, "net1"))

	h.resetLog()
	res = h.run(map[string]any{"config_file": cfg})
	assert.Equal(t, false, res["changed"], actions(res))
	assert.Empty(t, h.mutations())

	// A changed VLAN tag and a removed rate are one set of net0; the
	// generated MAC of net1 stays.
	nics := twoNICs()
	nics[0]["tag"] = 30
	delete(nics[0], "rate")
	h.resetLog()
	res = h.run(map[string]any{"config_file": h.oneContainer(map[string]any{"networks": nics, "firewall": map[string]any{"enabled": true}})})
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Len(t, h.mutations(), 1)
	c2 := h.conf("900")
	assert.Contains(t, netLine(c2, "net0"), "tag=30")
	assert.NotContains(t, netLine(c2, "net0"), "rate=")
	assert.Equal(t, netLine(c, "net1"), netLine(c2, "net1"))
}

// The old network_config with mac_address still means net0, and a rerun of
// a container made by it is no change when the same interface is written
// as networks[0].
func TestNetworkConfigIsNetworksZero(t *testing.T) {
	h := newHost(t)
	old := map[string]any{"network_config": map[string]any{"name": "eth0", "bridge": "vmbr0", "ip": "10.0.0.5/24", "gw": "10.0.0.1"}, "mac_address": "52:54:00:AA:BB:01"}
	res := h.run(map[string]any{"config_file": h.oneContainer(old)})
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Equal(t, "name=eth0,bridge=vmbr0,gw=10.0.0.1,hwaddr=52:54:00:AA:BB:01,ip=10.0.0.5/24,type=veth", netLine(h.conf("900"), "net0"))

	h.resetLog()
	same := map[string]any{"networks": []map[string]any{{"name": "eth0", "bridge": "vmbr0", "ip": "10.0.0.5/24", "gw": "10.0.0.1", "mac_address": "52:54:00:AA:BB:01"}}}
	res = h.run(map[string]any{"config_file": h.oneContainer(same)})
	assert.Equal(t, false, res["changed"], actions(res))
	assert.Empty(t, h.mutations())
}

// What cannot work is refused before anything changes, in check mode too,
// naming the field: both forms at once, a repeated name, a bridge the node
// lacks, an MTU above the bridge's (pve-container LXC.pm
// update_lxc_config: "MTU size ... is bigger than bridge MTU").
func TestBadNetworksAreRefused(t *testing.T) {
	h := newHost(t)
	h.write("root/sys/class/net/vmbr1/mtu", "1400\n", 0o644)
	nic := map[string]any{"name": "eth0", "bridge": "vmbr0", "ip": "dhcp"}
	for _, c := range []struct {
		spec map[string]any
		want string
	}{
		{map[string]any{"networks": []map[string]any{nic}, "network_config": nic}, "lxc_configs.900.network_config: set networks or network_config, not both"},
		{map[string]any{"networks": []map[string]any{nic}, "mac_address": "52:54:00:AA:BB:01"}, "lxc_configs.900.mac_address"},
		{map[string]any{"networks": []map[string]any{nic, nic}}, "lxc_configs.900.networks.1.name: \"eth0\" is also the name of interface 0"},
		{map[string]any{"networks": []map[string]any{{"name": "eth0", "bridge": "vmbr0", "ip6": "10.0.0.5/24"}}}, "lxc_configs.900.networks.0.ip6"},
		{map[string]any{"networks": []map[string]any{nic, {"name": "eth1", "bridge": "vmbr7"}}}, "networks.1.bridge: bridge 'vmbr7' does not exist on this host"},
		{map[string]any{"networks": []map[string]any{nic, {"name": "eth1", "bridge": "vmbr1", "mtu": 9000}}}, "networks.1.mtu: net1: MTU size '9000' is bigger than bridge MTU '1400'"},
	} {
		h.refused(h.oneContainer(c.spec), c.want)
	}
}

// On real LXC, both interfaces are veths on their bridge, with the name,
// MAC, address and MTU the spec gives; a rerun changes nothing. (VLAN tags
// need a VLAN-filtering bridge, which this machine's kernel cannot make.) Dropping
// one from the spec removes its lxc.net.1 lines.
func TestLXCSeveralNetworkInterfaces(t *testing.T) {
	h := newLXCHost(t)
	br := fmt.Sprintf("phx%d", os.Getpid()%100000)
	if out, err := exec.Command("ip", "link", "add", br, "type", "bridge").CombinedOutput(); err != nil {
		t.Skipf("cannot make a bridge here: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", br).Run() })
	require.NoError(t, exec.Command("ip", "link", "set", br, "up").Run())
	const id = 9140
	nics := []map[string]any{
		{"name": "eth0", "bridge": br, "ip": "10.99.0.5/24", "mac_address": "52:54:00:AA:BB:41", "mtu": 1400},
		{"name": "data1", "bridge": br, "ip": "10.99.1.5/24", "mac_address": "52:54:00:AA:BB:42"},
	}
	spec := map[int]map[string]any{id: {"name": "nics", "memory_mb": 256, "cores": 1, "template": "lxc:busybox", "unprivileged": true, "networks": nics}}
	res := h.run(h.fleet(spec), nil)
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Equal(t, "52:54:00:aa:bb:41 1400", h.attach(id, "sh", "-c", "echo $(cat /sys/class/net/eth0/address) $(cat /sys/class/net/eth0/mtu)"))
	assert.Equal(t, "52:54:00:aa:bb:42", h.attach(id, "cat", "/sys/class/net/data1/address"))
	assert.Contains(t, h.attach(id, "ip", "-4", "addr", "show", "data1"), "10.99.1.5/24")

	again := h.run(h.fleet(spec), nil)
	require.Equal(t, false, again["failed"], again["msg"])
	assert.Equal(t, false, again["changed"], containerActions(again, id))

	spec[id]["networks"] = nics[:1]
	res = h.run(h.fleet(spec), map[string]any{"allow_restart": true})
	require.Equal(t, false, res["failed"], res["msg"])
	data, err := os.ReadFile(filepath.Join(h.lxcpath, "9140", "config"))
	require.NoError(t, err)
	assert.NotContains(t, string(data), "lxc.net.1.")
	assert.Contains(t, string(data), "lxc.net.0.link = "+br)
	assert.Equal(t, "absent", h.attach(id, "sh", "-c", "test -e /sys/class/net/data1 && echo present || echo absent"), "restarted without it")
}
