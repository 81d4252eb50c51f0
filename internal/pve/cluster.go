package pve

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/pct"

	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// cluster is what pmxcfs says about the cluster this node is in. A node
// outside a cluster has one node, itself, and guests only in its own
// folder (/etc/pve/lxc is nodes/<node>/lxc).
type cluster struct {
	local string         // this node's name
	nodes []string       // the cluster's nodes, sorted; nil outside a cluster
	where map[int]string // CTID -> node that holds it
	kind  map[int]string // CTID -> "lxc" or "qemu"
}

// cluster reads .members and .vmlist; missing files mean a node on its
// own, named b.Node.
func (b *Backend) cluster() (cluster, error) {
	cl := cluster{local: b.Node, where: map[int]string{}, kind: map[int]string{}}
	var members pct.ClusterMembers
	if err := b.readNodeJSON(b.C.Members(), &members); err != nil {
		return cl, err
	}
	if members.NodeName != "" {
		cl.local = members.NodeName
	}
	for n := range members.NodeList {
		cl.nodes = append(cl.nodes, n)
	}
	sort.Strings(cl.nodes)
	var vmlist struct {
		IDs map[string]struct {
			Node string `json:"node"`
			Type string `json:"type"`
		} `json:"ids"`
	}
	if err := b.readNodeJSON(b.C.VMList(), &vmlist); err != nil {
		return cl, err
	}
	for id, g := range vmlist.IDs {
		if n, err := strconv.Atoi(id); err == nil {
			cl.where[n], cl.kind[n] = g.Node, g.Type
		}
	}
	return cl, nil
}

// elsewhere is the node other than this one that holds ctid, "" when none.
func (cl cluster) elsewhere(ctid int) string {
	if n := cl.where[ctid]; n != "" && n != cl.local {
		return n
	}
	return ""
}

// placeNew refuses, before pct create or clone, what pct would refuse or
// what would put the container on a node nobody chose: a CTID another
// guest of the cluster holds (pve-cluster check_vmid_unused: "CT <id>
// already exists on node '<n>'", "VM ..." for a QEMU guest), and, in a
// cluster of several nodes, a new container whose spec names no node
// while the run was not given one (the host name does not count).
func (b *Backend) placeNew(ctid int, spec *schema.Spec, cl cluster) error {
	if n := cl.where[ctid]; n != "" {
		what := "CT"
		if cl.kind[ctid] == "qemu" {
			what = "VM"
		}
		return fmt.Errorf("%s %d already exists on node '%s'", what, ctid, n)
	}
	if len(cl.nodes) > 1 && spec.Node == "" && !b.NodeGiven {
		return fmt.Errorf("node: this node (%s) is one of %d in its cluster (%s) and CT %d exists on none of them: set node in its spec, or give the node option, to say where it belongs",
			cl.local, len(cl.nodes), strings.Join(cl.nodes, ", "), ctid)
	}
	return nil
}
