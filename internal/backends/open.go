// Package backends picks and builds the backend a run drives.
package backends

import (
	"fmt"
	"os"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/lxc"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// PctPath is where pct is looked for: PHOENIX_LXC_PCT, else /usr/sbin/pct.
func PctPath() string {
	if p := os.Getenv("PHOENIX_LXC_PCT"); p != "" {
		return p
	}
	return "/usr/sbin/pct"
}

// Node is this host's node name, and whether the run was given it (the
// node option) rather than taking the host name.
type Node struct {
	Name  string
	Given bool
}

// Open returns the backend named name: "pct", "lxc", or "auto" (pct where
// it exists, else lxc). Its errors leave naming the backend to the caller.
func Open(name string, r runner.Runner, node Node) (backend.Backend, error) {
	if name == "" || name == "auto" {
		name = "lxc"
		if _, err := os.Stat(PctPath()); err == nil {
			name = "pct"
		}
	}
	switch name {
	case "pct":
		if _, err := os.Stat(PctPath()); err != nil {
			return nil, fmt.Errorf("%s not found (is this a Proxmox VE node? set PHOENIX_LXC_PCT or use backend: lxc)", PctPath())
		}
		b := pve.New(r)
		b.Node, b.NodeGiven = node.Name, node.Given
		return b, nil
	case "lxc":
		return lxc.New(r, os.Getenv("PHOENIX_LXC_LXCPATH")), nil
	}
	return nil, fmt.Errorf("%q is not one of auto, pct, lxc", name)
}
