package pipeline

import (
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// specWarner is a backend that can say which spec fields it leaves alone
// (the LXC backend: firewall, gpu_assignment, storage ...).
type specWarner interface {
	Warnings(spec *schema.Spec) []string
}

// stateWarner is a backend that can say what it leaves alone for a given
// container (pct: a rootfs larger than asked is never shrunk).
type stateWarner interface {
	ConfigureWarnings(st *backend.State, spec *schema.Spec) []string
}

// backendWarnings collects what the backend says it will not do.
func backendWarnings(b backend.Backend, st *backend.State, spec *schema.Spec) []string {
	var out []string
	if w, ok := b.(specWarner); ok {
		out = append(out, w.Warnings(spec)...)
	}
	if w, ok := b.(stateWarner); ok && st.Exists {
		out = append(out, w.ConfigureWarnings(st, spec)...)
	}
	return out
}
