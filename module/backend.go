package module

import (
	"fmt"
	"os"
	"os/exec"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/lxc"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// Node is this host's node name, and whether the run was given it (the
// node option) rather than taking the default.
type Node struct {
	Name  string
	Given bool
}

// OpenBackend returns the backend named name: "pct", "lxc", or "auto"
// (pct where h.Pct exists, else lxc), built on h. Its errors leave naming
// the backend to the caller.
func OpenBackend(name string, r runner.Runner, h Host, node Node) (backend.Backend, error) {
	if name == "" || name == "auto" {
		name = "lxc"
		if _, err := os.Stat(h.Pct); err == nil {
			name = "pct"
		}
	}
	switch name {
	case "pct":
		if _, err := os.Stat(h.Pct); err != nil {
			return nil, fmt.Errorf("%s not found (is this a Proxmox VE node? set PHOENIX_LXC_PCT or use backend: lxc)", h.Pct)
		}
		b := pve.New(r, h.Pct, h.PveRoot)
		b.Node, b.NodeGiven = node.Name, node.Given
		return b, nil
	case "lxc":
		if _, err := exec.LookPath("lxc-start"); err != nil {
			return nil, fmt.Errorf("lxc-start not found on PATH, and no pct at %s: install Debian's lxc package (apt-get install lxc uidmap), or on Proxmox VE pve-container", h.Pct)
		}
		return lxc.New(r, h.LXCPath), nil
	}
	return nil, fmt.Errorf("%q is not one of auto, pct, lxc", name)
}
