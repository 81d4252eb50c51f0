// Package backends picks and builds the backend a run drives.
package backends

import (
	"fmt"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// Open returns the backend named name ("auto", "pct" or "lxc").
func Open(name string, r runner.Runner) (backend.Backend, error) {
	return nil, fmt.Errorf("backend %q: not implemented yet", name)
}
