package pipeline

import (
	"context"
	"fmt"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
)

// preflightStep checks, before anything is created, that the host scripts
// a present container runs are root's alone (checkHostScripts), and that
// the host grants root every host range of a custom id map (LXC refuses to
// start otherwise).
func preflightStep(ctx context.Context, x *converger) error {
	if x.req.State == "present" {
		if err := checkHostScripts(x); err != nil {
			return err
		}
	}
	if len(x.spec.Idmap) == 0 {
		return nil
	}
	return checkGrants(x.want, x.req.Grants)
}

// defineStep creates or clones the container when it does not exist, and
// refuses an unprivileged flag that differs from what exists (Proxmox cannot
// change it after creation).
func defineStep(ctx context.Context, x *converger) error {
	b := x.req.Backend
	if src := x.spec.CloneFromCTID; src != nil {
		defer x.sources.forget(int(*src), x.ctid) // define is done: it clones now or never
	}
	if x.st.Exists {
		if x.spec.Unprivileged != nil && *x.spec.Unprivileged != x.st.Unprivileged {
			return fmt.Errorf("unprivileged: the container has unprivileged=%t and the spec asks for %t; it is fixed at creation (destroy it with state: absent to rebuild)", x.st.Unprivileged, *x.spec.Unprivileged)
		}
		return nil
	}
	if x.spec.CloneFromCTID == nil {
		act, pred, err := b.Create(x.ctid, x.spec)
		if err != nil {
			return err
		}
		return x.apply(ctx, []backend.Action{act}, pred)
	}
	srcID := int(*x.spec.CloneFromCTID)
	src, release, err := x.cloneSource(ctx, srcID)
	if err != nil {
		return err
	}
	defer release()
	srcSpec := x.req.Fleet[srcID]
	if src != nil && src.Elsewhere != "" {
		return fmt.Errorf("clone_from_ctid: source CT %d lives on node %q, and pct clones on the source's node: converge CT %d there (set its node to %q)", srcID, src.Elsewhere, x.ctid, src.Elsewhere)
	}
	if src == nil || !src.Exists {
		return fmt.Errorf("clone_from_ctid: source CT %d does not exist; converge it first (add it to ctids)", srcID)
	}
	if srcSpec == nil || srcSpec.TemplateSnapshotName == "" {
		return fmt.Errorf("clone_from_ctid: source CT %d has no template_snapshot_name to clone from", srcID)
	}
	snap := srcSpec.TemplateSnapshotName
	if !contains(src.Snapshots, snap) {
		return fmt.Errorf("clone_from_ctid: source CT %d has no snapshot %q yet; converge it first", srcID, snap)
	}
	if x.spec.Unprivileged != nil && *x.spec.Unprivileged != src.Unprivileged {
		return fmt.Errorf("unprivileged: the spec asks for %t but clone source CT %d has %t, and a clone always inherits it; nothing was created", *x.spec.Unprivileged, srcID, src.Unprivileged)
	}
	act, pred, err := b.Clone(x.ctid, src, snap, x.spec)
	if err != nil {
		return err
	}
	return x.apply(ctx, []backend.Action{act}, pred)
}

// configureStep brings the config to the spec with one batched change.
func configureStep(ctx context.Context, x *converger) error {
	acts, pred, err := x.req.Backend.Configure(x.st, x.spec)
	if err != nil {
		return err
	}
	return x.apply(ctx, acts, pred)
}

// idmapCycleStep starts and stops the container once when there is no proof
// that LXC was given the expected map (the generated config is only written
// on start). A running container with the wrong map needs a restart.
func idmapCycleStep(ctx context.Context, x *converger) error {
	if proven(x.st, x.want) || x.proofAfterStart() {
		return nil
	}
	b := x.req.Backend
	pred := *x.st
	pred.GivenMap, pred.GivenMapFrom = x.want, "(after the id-map cycle)"
	if pred.Running {
		pred.RunningMap = x.want
	}
	if !x.st.Running {
		start, stop := b.Start(x.st), b.Stop(x.st)
		start.Why, stop.Why = "id-map cycle: no proof yet that LXC was given the expected map", "id-map cycle"
		return x.apply(ctx, []backend.Action{start, stop}, &pred)
	}
	if !x.req.AllowRestart {
		return fmt.Errorf("%v; the container is running: restart it or set allow_restart", gateError(x.st, x.want))
	}
	stop, start := b.Stop(x.st), b.Start(x.st)
	stop.Why = "restart to run with the expected id map (allow_restart)"
	return x.apply(ctx, []backend.Action{stop, start}, &pred)
}

// idmapGateStep proves the map before any shared volume is touched.
func idmapGateStep(ctx context.Context, x *converger) error {
	x.res.Idmap = x.want.Normalize().Strings()
	if x.predicted || x.proofAfterStart() {
		return nil // planned: proven after the changes above, or after start
	}
	if !proven(x.st, x.want) {
		return gateError(x.st, x.want)
	}
	return nil
}

// proofAfterStart reports whether the proof can wait for the start step: a
// stopped container with no shared volume that is about to be started
// anyway needs no start/stop cycle of its own (the gate guards volumes).
func (x *converger) proofAfterStart() bool {
	return len(x.spec.SharedVolumes) == 0 && !x.st.Running && !x.st.Template && x.req.State != "stopped"
}

// idmapVerifyStep proves, once the container runs, the map the gate let
// through unproven because there was no shared volume to guard.
func idmapVerifyStep(ctx context.Context, x *converger) error {
	if x.predicted {
		return nil
	}
	if !proven(x.st, x.want) {
		return gateError(x.st, x.want)
	}
	return proveIdmappedMounts(ctx, x)
}

// startStep starts the container and deals with changes pending a restart.
func startStep(ctx context.Context, x *converger) error {
	b := x.req.Backend
	if x.st.Template {
		return nil
	}
	if !x.st.Running {
		pred := *x.st
		pred.Running, pred.Pending = true, nil
		return x.apply(ctx, []backend.Action{b.Start(x.st)}, &pred)
	}
	if len(x.st.Pending) == 0 {
		return nil
	}
	if !x.req.AllowRestart {
		x.warn("changes to %v wait for a restart; set allow_restart to apply them", x.st.Pending)
		return nil
	}
	pred := *x.st
	pred.Pending = nil
	stop, start := b.Stop(x.st), b.Start(x.st)
	stop.Why = fmt.Sprintf("restart to apply pending changes %v (allow_restart)", x.st.Pending)
	return x.apply(ctx, []backend.Action{stop, start}, &pred)
}

// stopStep leaves the container stopped (state: stopped).
func stopStep(ctx context.Context, x *converger) error {
	if !x.st.Running {
		return nil
	}
	pred := *x.st
	pred.Running, pred.RunningMap, pred.InitPID = false, nil, 0
	return x.apply(ctx, []backend.Action{x.req.Backend.Stop(x.st)}, &pred)
}

// snapshotStep takes the template snapshot, last.
func snapshotStep(ctx context.Context, x *converger) error {
	name := x.spec.TemplateSnapshotName
	if name == "" || contains(x.st.Snapshots, name) {
		return nil
	}
	pred := *x.st
	pred.Snapshots = append(append([]string{}, x.st.Snapshots...), name)
	return x.apply(ctx, []backend.Action{x.req.Backend.Snapshot(x.st, name)}, &pred)
}

// destroyStep removes the container (state: absent). A protected one is
// refused before anything changes, unless the spec lifts the protection
// (protection: false), which is then applied first.
func destroyStep(ctx context.Context, x *converger) error {
	if !x.st.Exists {
		return nil
	}
	if x.st.Protected {
		if p := x.spec.Protection; p == nil || *p {
			return fmt.Errorf("CT %d is protected (protection: 1), and Proxmox refuses to destroy it (\"can't remove CT %d - protection mode enabled\"); set protection: false in its spec to lift it first", x.ctid, x.ctid)
		}
		pred := *x.st
		pred.Protected = false
		if err := x.apply(ctx, []backend.Action{x.req.Backend.Unprotect(x.st)}, &pred); err != nil {
			return err
		}
	}
	return x.apply(ctx, []backend.Action{x.req.Backend.Destroy(x.st)}, &backend.State{CTID: x.ctid})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
