package pve

// Planning is a function of the observed state, the node's files and the
// spec: these tables give the node as an in-memory file system under a
// root that does not exist, so a read that went past b.Files would fail.

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/pct"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

const noRoot = "/nonexistent/pve-root"

// node is a node's files: bridge vmbr0 (MTU 1500), the template, and extra.
func node(extra map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"sys/class/net/vmbr0/mtu":                     {Data: []byte("1500\n")},
		"var/lib/vz/template/cache/debian-12.tar.zst": {Data: nil},
	}
	for k, v := range extra {
		fsys[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return fsys
}

func planner(files fstest.MapFS) *Backend {
	return &Backend{C: pct.NewClient(nil, pct.DefaultPct, noRoot), Node: "pve", Files: files}
}

func nic(name, bridge string, extra func(*schema.Network)) schema.Network {
	n := schema.Network{Name: name, Bridge: bridge, IP: "dhcp"}
	if extra != nil {
		extra(&n)
	}
	return n
}

const stopped = "arch: amd64\nhostname: ct\nmemory: 512\n" +
	"net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,ip=dhcp,type=veth\n" +
	"rootfs: local-lvm:vm-900-disk-0,size=8G\nunprivileged: 1\n"

func TestConfigurePlansFromTheNodesFiles(t *testing.T) {
	for _, c := range []struct {
		name  string
		files map[string]string
		conf  string
		spec  schema.Spec
		want  []string // in the one pct set, in order
		err   string
	}{
		{name: "a second interface on a second bridge", files: map[string]string{"sys/class/net/vmbr1/mtu": "9000\n"},
			spec: schema.Spec{Networks: []schema.Network{nic("eth0", "vmbr0", nil), nic("eth1", "vmbr1", func(n *schema.Network) { n.MTU = 9000 })}},
			want: []string{"--net1 name=eth1,bridge=vmbr1,ip=dhcp,mtu=9000,type=veth", "--description phoenix_lxc: managed=net0,net1\n"}},
		{name: "a bridge the node lacks",
			spec: schema.Spec{Networks: []schema.Network{nic("eth0", "vmbr7", nil)}},
			err:  "networks.0.bridge: bridge 'vmbr7' does not exist on this host (" + noRoot + "/sys/class/net/vmbr7/mtu cannot be read)"},
		{name: "an MTU above the bridge's",
			spec: schema.Spec{Networks: []schema.Network{nic("eth0", "vmbr0", func(n *schema.Network) { n.MTU = 9000 })}},
			err:  "networks.0.mtu: net0: MTU size '9000' is bigger than bridge MTU '1500'"},
		{name: "a GPU whose device nodes are there",
			files: map[string]string{"dev/nvidia0": "", "dev/nvidiactl": "", "dev/nvidia-uvm": "", "dev/nvidia-uvm-tools": ""},
			spec:  schema.Spec{GPUAssignment: "0"},
			want:  []string{"--dev0 /dev/nvidia0 --dev1 /dev/nvidiactl --dev2 /dev/nvidia-uvm --dev3 /dev/nvidia-uvm-tools"}},
		{name: "a GPU whose device nodes are not", files: map[string]string{"dev/nvidiactl": ""},
			spec: schema.Spec{GPUAssignment: "0"},
			err:  "these devices do not exist on this host: /dev/nvidia0 (" + noRoot + "/dev/nvidia0), /dev/nvidia-uvm"},
		{name: "what the spec dropped and the record lists goes; a user's own mount point stays",
			conf: "#phoenix_lxc%3A managed=mp0,net0,net1\n" + stopped + "mp0: /srv/a,mp=/a\nmp5: /srv/own,mp=/own\n" +
				"net1: name=eth1,bridge=vmbr0,hwaddr=BC:24:11:00:00:02,ip=dhcp,type=veth\n",
			spec: schema.Spec{Networks: []schema.Network{nic("eth0", "vmbr0", nil)}},
			want: []string{"--delete mp0,net1", "--description phoenix_lxc: managed=net0\n"}},
		{name: "idmapped on a pve-container without idmap=",
			files: map[string]string{"var/lib/dpkg/status": "Package: pve-container\nStatus: install ok installed\nVersion: 6.1.5\n"},
			spec:  schema.Spec{SharedVolumes: []schema.SharedVolume{{HostPath: "/srv/m", MountPath: "/m", Owner: "1000:1000", Idmapped: true}}},
			err:   "needs pve-container 6.1.6 or later (mount point idmap=); this node has 6.1.5"},
		{name: "a converged container", conf: "#phoenix_lxc%3A managed=net0\n" + stopped,
			spec: schema.Spec{Name: "ct", MemoryMB: 512, NetworkConfig: &schema.NetworkConfig{Name: "eth0", Bridge: "vmbr0", IP: "dhcp"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			text := c.conf
			if text == "" {
				text = stopped
			}
			cfg, warns := conf.Parse([]byte(text))
			require.Empty(t, warns)
			st := stateFromConf(900, cfg) // as Observe fills it from the conf
			acts, _, err := planner(node(c.files)).Configure(st, &c.spec)
			if c.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.err)
				return
			}
			require.NoError(t, err)
			if c.want == nil {
				assert.Empty(t, acts)
				return
			}
			require.Len(t, acts, 1, "one batched pct set")
			got := strings.Join(acts[0].Argv, " ")
			at := 0
			for _, w := range c.want {
				i := strings.Index(got[at:], w)
				require.GreaterOrEqual(t, i, 0, "%q in %q", w, got)
				at += i + len(w)
			}
			assert.NotContains(t, got, "mp5")
		})
	}
}

func TestCreatePlansFromTheNodesFiles(t *testing.T) {
	spec := func(extra func(*schema.Spec)) *schema.Spec {
		s := &schema.Spec{Name: "ct", Template: "local:vztmpl/debian-12.tar.zst", StoragePool: "local-lvm"}
		if extra != nil {
			extra(s)
		}
		return s
	}
	for _, c := range []struct {
		name  string
		files map[string]string
		spec  *schema.Spec
		err   string
	}{
		{name: "the template is in the cache", spec: spec(nil)},
		{name: "the template is not", spec: spec(func(s *schema.Spec) { s.Template = "local:vztmpl/alpine.tar.zst" }),
			err: "template: can't find file 'local:vztmpl/alpine.tar.zst' (looked at " + noRoot + "/var/lib/vz/template/cache/alpine.tar.zst)"},
		{name: "a storage.cfg without the pool", files: map[string]string{"etc/pve/storage.cfg": "dir: local\n\tpath /var/lib/vz\n\tcontent vztmpl,rootdir\n"},
			spec: spec(nil), err: "storage_pool: storage 'local-lvm' does not exist"},
		{name: "a cluster of two, no node said",
			files: map[string]string{"etc/pve/.members": `{"nodename": "pve", "nodelist": {"pve": {}, "pve2": {}}}`},
			spec:  spec(nil), err: "node: this node (pve) is one of 2 in its cluster (pve, pve2)"},
		{name: "the CTID is another node's",
			files: map[string]string{"etc/pve/.vmlist": `{"ids": {"900": {"node": "pve2", "type": "qemu"}}}`},
			spec:  spec(nil), err: "VM 900 already exists on node 'pve2'"},
	} {
		t.Run(c.name, func(t *testing.T) {
			act, pred, err := planner(node(c.files)).Create(900, c.spec)
			if c.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, backend.Create, act.Name)
			assert.Contains(t, pred.ConfText, "rootfs: local-lvm:vm-900-disk-0")
		})
	}
}
