package pipeline

import (
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// specWarner is a backend that can say more than Fields about what it
// leaves alone (the LXC backend: pct_options flag by flag).
type specWarner interface {
	Warnings(spec *schema.Spec) []string
}

// stateWarner is a backend that can say what it leaves alone for a given
// container (pct: a rootfs larger than asked is never shrunk).
type stateWarner interface {
	ConfigureWarnings(st *backend.State, spec *schema.Spec) []string
}

// backendWarnings collects what the backend says it will not do: one
// warning per field the spec sets and the backend does not honour, then
// the backend's own finer ones.
func backendWarnings(b backend.Backend, st *backend.State, spec *schema.Spec) []string {
	var out []string
	fields := b.Fields()
	for _, f := range schema.SetFields(spec) {
		if why := fields[f]; why != "" {
			out = append(out, f+": "+why)
		}
	}
	if w, ok := b.(specWarner); ok {
		out = append(out, w.Warnings(spec)...)
	}
	if w, ok := b.(stateWarner); ok && st.Exists {
		out = append(out, w.ConfigureWarnings(st, spec)...)
	}
	return out
}
