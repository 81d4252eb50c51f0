package e2e

// Issue 13 point 6: a node of a Proxmox cluster. /etc/pve/lxc is this
// node's folder; .vmlist (pve-cluster) says which node holds each guest;
// .members names this node and the cluster's nodes.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clusterHost is an emulated node "pve" of the two-node cluster pve, pve2,
// where pve2 holds CT 950 (a template with its snapshot).
func clusterHost(t *testing.T) *host {
	h := newHost(t)
	h.write("root/etc/pve/.members", `{"nodename": "pve", "version": 3, "cluster": {"name": "lab", "version": 2, "nodes": 2, "quorate": 1},
 "nodelist": {"pve": {"id": 1, "online": 1, "ip": "10.0.0.1"}, "pve2": {"id": 2, "online": 1, "ip": "10.0.0.2"}}}`, 0o644)
	h.write("root/etc/pve/nodes/pve2/lxc/950.conf", "arch: amd64\nhostname: tpl\nmemory: 512\nostype: debian\nrootfs: local-lvm:base-950-disk-0,size=8G\ntemplate: 1\nunprivileged: 1\n", 0o640)
	h.write("root/etc/pve/.vmlist", `{"version": 2, "ids": {"950": {"node": "pve2", "type": "lxc", "version": 1}}}`, 0o640)
	return h
}

func (h *host) clusterFleet(extra map[int]map[string]any) string {
	base := map[string]any{"memory_mb": 512, "cores": 1, "storage_pool": "local-lvm", "storage_size_gb": 8, "unprivileged": true}
	cfgs := map[string]any{}
	for id, s := range extra {
		spec := map[string]any{}
		for k, v := range base {
			spec[k] = v
		}
		for k, v := range s {
			spec[k] = v
		}
		cfgs[itoa(id)] = spec
	}
	data, err := json.Marshal(map[string]any{"lxc_configs": cfgs})
	require.NoError(h.t, err)
	h.write("cluster.json", string(data), 0o644)
	return filepath.Join(h.dir, "cluster.json")
}

// A container another node holds is skipped, never re-created; a clone of
// it fails naming that node (pct clones on the source's node); a new
// container is made here and .vmlist then lists it on this node. Check
// mode says the same.
func TestAClusterNodeLeavesOtherNodesContainersAlone(t *testing.T) {
	h := clusterHost(t)
	cfg := h.clusterFleet(map[int]map[string]any{
		950: {"name": "tpl", "template": "local:vztmpl/debian-12.tar.zst", "template_snapshot_name": "base"},
		951: {"name": "app", "clone_from_ctid": 950},
		960: {"name": "new", "template": "local:vztmpl/debian-12.tar.zst"},
	})
	for _, check := range []bool{true, false} {
		h.resetLog()
		res := h.run(map[string]any{"config_file": cfg, "_ansible_check_mode": check})
		cs := byCTID(res)
		assert.Equal(t, "skipped", cs["950"]["status"], "check=%v", check)
		assert.Contains(t, cs["950"]["msg"], `CT 950 lives on node "pve2"`)
		assert.Equal(t, "failed", cs["951"]["status"])
		assert.Contains(t, cs["951"]["msg"], `source CT 950 lives on node "pve2", and pct clones on the source's node`)
		assert.NotEqual(t, "failed", cs["960"]["status"], cs["960"]["msg"])
		for _, c := range h.mutations() {
			assert.False(t, strings.Contains(c, "950"), "nothing touches CT 950 here: %s", c)
		}
	}
	_, err := os.Stat(filepath.Join(h.root, "etc/pve/nodes/pve/lxc/960.conf"))
	require.NoError(t, err, "the new container is in this node's folder")
	vmlist, err := os.ReadFile(filepath.Join(h.root, "etc/pve/.vmlist"))
	require.NoError(t, err)
	var list struct {
		IDs map[string]struct{ Node string } `json:"ids"`
	}
	require.NoError(t, json.Unmarshal(vmlist, &list))
	assert.Equal(t, "pve", list.IDs["960"].Node)
	assert.Equal(t, "pve2", list.IDs["950"].Node)
}

// In a cluster of several nodes, a container that exists nowhere yet needs
// to be told where it belongs: its spec's node, or the node option (the
// default node name does not count). Told, it is made.
func TestANewContainerInAClusterNeedsANode(t *testing.T) {
	h := clusterHost(t)
	cfg := h.clusterFleet(map[int]map[string]any{961: {"name": "x", "template": "local:vztmpl/debian-12.tar.zst"}})
	for _, check := range []bool{true, false} {
		step, msg := failure(t, h.run(map[string]any{"config_file": cfg, "node": nil, "_ansible_check_mode": check}))
		assert.Equal(t, "define", step)
		assert.Contains(t, msg, "this node (pve) is one of 2 in its cluster (pve, pve2) and CT 961 exists on none of them")
	}
	assert.Empty(t, h.mutations())
	cfg = h.clusterFleet(map[int]map[string]any{961: {"name": "x", "template": "local:vztmpl/debian-12.tar.zst", "node": "pve"}})
	res := h.run(map[string]any{"config_file": cfg, "node": nil})
	require.Equal(t, false, res["failed"], res["msg"])
	res = h.run(map[string]any{"config_file": h.clusterFleet(map[int]map[string]any{962: {"name": "y", "template": "local:vztmpl/debian-12.tar.zst"}})})
	require.Equal(t, false, res["failed"], "the node option counts: %v", res["msg"])
}

// A storage restricted to other nodes (storage.cfg nodes) cannot hold the
// container here: refused before create, as pct's storage_check_node.
func TestAStorageOfOtherNodesIsRefused(t *testing.T) {
	h := clusterHost(t)
	h.write("root/etc/pve/storage.cfg", "dir: local\n\tpath /var/lib/vz\n\tcontent vztmpl\n\nlvmthin: local-lvm\n\tvgname pve\n\tthinpool data\n\tcontent rootdir,images\n\tnodes pve2\n", 0o644)
	cfg := h.clusterFleet(map[int]map[string]any{963: {"name": "z", "template": "local:vztmpl/debian-12.tar.zst"}})
	for _, check := range []bool{true, false} {
		step, msg := failure(t, h.run(map[string]any{"config_file": cfg, "_ansible_check_mode": check}))
		assert.Equal(t, "define", step)
		assert.Contains(t, msg, "storage_pool: storage 'local-lvm' is not available on node 'pve'")
	}
	assert.Empty(t, h.mutations())
}
