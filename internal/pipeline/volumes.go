package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/volume"
)

// sharedVolumesStep prepares each host folder (each missing folder made as
// its own action, then owned by the mapped owner, mode set; no symlink
// followed) and then mounts it. It only runs
// after the gate has proven the map the owners are mapped through.
func sharedVolumesStep(ctx context.Context, x *converger) error {
	vols := x.spec.SharedVolumes
	if len(vols) == 0 {
		return nil
	}
	var acts []backend.Action
	for i, v := range vols {
		vs, err := volume.FromShared(v, x.want)
		if err != nil {
			return fmt.Errorf("shared_volumes[%d]: %w", i, err)
		}
		plan, err := volume.Observe(vs)
		if err != nil {
			return fmt.Errorf("shared_volumes[%d] (%s): %w", i, v.HostPath, err)
		}
		if plan.Empty() {
			continue
		}
		if len(plan.Create) > 0 {
			vs.KeepOwners = false // a folder this run makes is empty: given to its owner
		}
		for _, n := range plan.Notes {
			x.warn("shared_volumes[%d] (%s): %s", i, v.HostPath, n)
		}
		var cmds []string
		for _, c := range plan.Changes() {
			if c.Name == "mkdir" {
				// Each folder the run makes, parents included, is its own
				// action with its exact path.
				dir := c.Argv[len(c.Argv)-1]
				acts = append(acts, backend.Action{Name: "mkdir", Pseudo: true, Argv: c.Argv, Why: c.Why,
					Do: func(context.Context) error { return volume.MakeDir(dir) }})
				continue
			}
			cmds = append(cmds, strings.Join(c.Argv, " ")+" ("+c.Why+")")
		}
		if len(cmds) == 0 {
			continue
		}
		acts = append(acts, backend.Action{
			Name: "prepare_volume", Pseudo: true,
			Argv: []string{"phoenix_lxc", "volume", v.HostPath, "--owner", fmt.Sprintf("%d:%d", vs.UID, vs.GID), "--mode", modeText(vs)},
			Why:  strings.Join(cmds, "; "),
			Do: func(ctx context.Context) error {
				_, err := volume.Apply(vs)
				return err
			},
		})
	}
	if err := x.apply(ctx, acts, nil); err != nil {
		return err
	}
	mounts, pred, err := x.req.Backend.Mounts(x.st, x.spec)
	if err != nil {
		return err
	}
	return x.apply(ctx, mounts, pred)
}

func modeText(vs volume.Spec) string {
	if !vs.HasMode {
		return "keep"
	}
	return volume.FormatMode(vs.Mode)
}
