package module

import (
	"fmt"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pipeline"
)

// checkDefaultGrants refuses, before anything is opened (check mode too), a
// run whose unprivileged containers without a custom idmap would map their
// ids to a range the host does not grant root in /etc/subuid or
// /etc/subgid (Proxmox's root:100000:65536): LXC could not start them.
// Custom maps are the pipeline's preflight's to check, per container.
func checkDefaultGrants(r pipeline.Request) error {
	if r.State == "absent" {
		return nil
	}
	var cts []string
	for _, id := range r.Targets {
		if s := r.Fleet[id]; s.IsUnprivileged() && len(s.Idmap) == 0 {
			cts = append(cts, fmt.Sprint(id))
		}
	}
	if len(cts) == 0 {
		return nil
	}
	var missing []string
	g := r.Grants
	for _, k := range []idmap.Kind{idmap.UID, idmap.GID} {
		i := g.Of(k)
		file := g.Files[i]
		if g.Errs[i] != nil {
			return fmt.Errorf("host: cannot read %s (%v): unprivileged containers (CT %s) map their ids to root's grant there", file, g.Errs[i], strings.Join(cts, ", "))
		}
		for _, e := range idmap.Default().Uncovered(k, "root", g.Lists[i]) {
			line := fmt.Sprintf("root:%d:%d", e.HostID, e.Count)
			missing = append(missing, fmt.Sprintf("%s does not grant %s (add it with 'echo %s >> %s' as root)", file, line, line, file))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("host: %s; unprivileged containers (CT %s) map their ids there, and LXC cannot start them without it", strings.Join(missing, "; "), strings.Join(cts, ", "))
	}
	return nil
}
