package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
)

// checkGrants reports host ranges of a custom map that root is not granted
// in g, what the host's /etc/subuid and /etc/subgid say (LXC refuses to
// start such a container).
func checkGrants(m idmap.Set, g idmap.Grants) error {
	var missing []string
	for _, k := range []idmap.Kind{idmap.UID, idmap.GID} {
		i := g.Of(k)
		if g.Errs[i] != nil {
			return fmt.Errorf("idmap: cannot read %s: %v (root needs grants there for every host range of the map)", g.Files[i], g.Errs[i])
		}
		for _, e := range m.Uncovered(k, "root", g.Lists[i]) {
			missing = append(missing, fmt.Sprintf("%q (add root:%d:%d to %s)", e.String(), e.HostID, e.Count, g.Files[i]))
		}
		if err := rootAboveFirstGrant(m, k, g.Lists[i], g.Files[i]); err != nil {
			return err
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("idmap: the host does not grant root these ranges: %s", strings.Join(missing, ", "))
	}
	return nil
}

// rootAboveFirstGrant refuses a map whose container root lands below root's
// first grant in the file (root:100000:65536 by convention): a lower grant
// such as root:1000:1 passes a host user through, and container root must
// never become a host user.
func rootAboveFirstGrant(m idmap.Set, k idmap.Kind, grants []idmap.Grant, file string) error {
	h, ok := m.ToHost(k, 0)
	if !ok {
		return nil
	}
	for _, g := range grants {
		if g.User != "root" {
			continue
		}
		if h < g.Start {
			return fmt.Errorf("idmap: container %cid 0 maps to host id %d, below root's first range in %s (root:%d:%d): container root must map into the range meant for containers, never onto a host user", k, h, file, g.Start, g.Count)
		}
		return nil
	}
	return nil
}

// proven reports whether st shows that LXC really runs the container with
// want: the map it was given, and for a running container the kernel's map.
func proven(st *backend.State, want idmap.Set) bool {
	if st.GivenMap == nil || !st.GivenMap.Equal(want) {
		return false
	}
	return !st.Running || (st.RunningMap != nil && st.RunningMap.Equal(want))
}

// gateError explains a failed proof: expected against found.
func gateError(st *backend.State, want idmap.Set) error {
	found := "no map (LXC has not been given one yet)"
	if st.GivenMap != nil {
		found = fmt.Sprintf("[%s] in %s", strings.Join(st.GivenMap.Normalize().Strings(), ", "), st.GivenMapFrom)
	}
	msg := fmt.Sprintf("idmap gate: expected [%s], found %s", strings.Join(want.Normalize().Strings(), ", "), found)
	if st.Running && st.GivenMap != nil && st.GivenMap.Equal(want) {
		got := "nothing"
		if st.RunningMap != nil {
			got = "[" + strings.Join(st.RunningMap.Normalize().Strings(), ", ") + "]"
		}
		msg = fmt.Sprintf("idmap gate: expected [%s], but the running container (init pid %d) has %s", strings.Join(want.Normalize().Strings(), ", "), st.InitPID, got)
	}
	return fmt.Errorf("%s; no shared volume was created, chowned or mounted", msg)
}

// proveIdmappedMounts proves each idmapped volume from inside the running
// container, once this run changed the container: its mount path shows
// the volume's owner (stat through the mount's own idmap=). A mount point
// still pending a restart is not in force yet: the start step said so.
func proveIdmappedMounts(ctx context.Context, x *converger) error {
	if !x.res.Changed || !x.st.Running {
		return nil
	}
	for _, k := range x.st.Pending {
		if strings.HasPrefix(k, "mp") {
			return nil
		}
	}
	for i, v := range x.spec.SharedVolumes {
		if !v.Idmapped {
			continue
		}
		u, g, err := v.OwnerIDs()
		if err != nil {
			return fmt.Errorf("shared_volumes[%d]: %w", i, err)
		}
		want := fmt.Sprintf("%d:%d", u, g)
		var out string
		if err := x.req.Backend.Capture(x.ctid, []string{"stat", "-c", "%u:%g", v.MountPath}, &out).Do(ctx); err != nil {
			return fmt.Errorf("idmap gate: shared volume %s: cannot stat %s inside CT %d: %w", v.HostPath, v.MountPath, x.ctid, err)
		}
		if got := strings.TrimSpace(out); got != want {
			return fmt.Errorf("idmap gate: shared volume %s is mounted idmapped at %s, and inside CT %d it shows owner %s, not %s: the mount's idmap is not in force (restart the container, and check its mpN idmap=)",
				v.HostPath, v.MountPath, x.ctid, got, want)
		}
	}
	return nil
}
