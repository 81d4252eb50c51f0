package pve

import (
	"context"
	"fmt"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/pct"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// Configure plans, in this order: the raw lxc.idmap lines of a custom map
// (a locked edit of the conf, before `pct set` so that pct regenerates the
// LXC config with them), ONE `pct set` with every key that differs, a
// resize when the rootfs must grow, and the firewall file. It returns no
// actions when the container already matches the spec.
func (b *Backend) Configure(st *backend.State, spec *schema.Spec) ([]backend.Action, *backend.State, error) {
	if st.Exists && spec.Unprivileged != nil && *spec.Unprivileged != st.Unprivileged {
		return nil, nil, fmt.Errorf("unprivileged: CT %d has unprivileged=%t and the spec asks for %t; Proxmox fixes it at creation, so destroy and recreate the container to change it",
			st.CTID, st.Unprivileged, *spec.Unprivileged)
	}
	if err := b.bridgesExist(spec); err != nil {
		return nil, nil, err
	}
	if err := b.idmappedSupported(spec); err != nil {
		return nil, nil, err
	}
	cfg, _ := conf.Parse([]byte(st.ConfText))
	var acts []backend.Action
	regenerated := false

	if len(spec.Idmap) > 0 && !sameLines(cfg.Main.RawValues("lxc.idmap"), spec.Idmap) {
		want, err := idmap.Parse(spec.Idmap)
		if err != nil {
			return nil, nil, fmt.Errorf("idmap: %w", err)
		}
		if err := mapFixed(st, cfg, want); err != nil {
			return nil, nil, err
		}
		acts = append(acts, b.idmapAction(st.CTID, spec.Idmap, cfg.Main.RawValues("lxc.idmap")))
		cfg.Main.SetRaw("lxc.idmap", spec.Idmap)
	}

	opts, why, err := desiredOpts(cfg, spec, recorded(st.Records))
	if err != nil {
		return nil, nil, err
	}
	if pending, _, err := mountOpts(st, spec.SharedVolumes); err != nil {
		return nil, nil, err
	} else if len(pending) > 0 {
		opts, why = withoutProtection(opts, why) // Mounts sets it after them
	}
	devs, err := b.gpuOpts(cfg, spec)
	if err != nil {
		return nil, nil, err
	}
	for _, d := range devs {
		why = append(why, fmt.Sprintf("%s %s (gpu_assignment)", d.Key, d.Value))
	}
	opts = append(opts, devs...)
	dels, delWhy := removals(cfg, st.Records, spec)
	if lift, err := protectedRemoval(st, spec, dels); err != nil {
		return nil, nil, err
	} else if lift {
		// Proxmox checks protection before it applies any option of the
		// same call: protection goes off in a set of its own first.
		opts, why = withoutKey(opts, why, "protection")
		prot := []pct.Opt{{Key: "protection", Value: "0"}}
		argv := b.C.SetArgv(st.CTID, prot)
		acts = append(acts, backend.Action{Step: "configure", Name: "set", Argv: argv,
			Why: "protection off first: Proxmox refuses to remove a mount point of a protected container", Do: b.run(argv)})
		applyOpts(cfg, prot, st.Running)
	}
	opts, why = withDelete(opts, dels...), append(why, delWhy...)
	opts, why = withManaged(cfg, opts, why, spec, st.Running)
	if len(opts) > 0 {
		argv := b.C.SetArgv(st.CTID, opts)
		acts = append(acts, backend.Action{Step: "configure", Name: "set", Argv: argv,
			Why: strings.Join(why, "; "), Do: b.run(argv)})
		applyOpts(cfg, opts, st.Running)
		regenerated = true
	}

	if grow := b.resizeAction(st.CTID, cfg, spec); grow != nil {
		acts = append(acts, *grow)
	}
	fw, err := b.firewallAction(st.CTID, spec.Firewall)
	if err != nil {
		return nil, nil, err
	}
	if fw != nil {
		acts = append(acts, *fw)
	}
	pred := predicted(st, cfg)
	if regenerated {
		// pct regenerates var/lib/lxc/<id>/config after every successful
		// set, so LXC will have been given the map of the new conf.
		pred.GivenMap, pred.GivenMapFrom = confMap(cfg), b.C.Generated(st.CTID)
	}
	return acts, pred, nil
}

// ConfigureWarnings says what Configure leaves alone on purpose: a rootfs
// larger than storage_size_gb is never shrunk, and interfaces, mount
// points and devices the spec does not list that phoenix_lxc never made
// (not in its managed record) stay.
func (b *Backend) ConfigureWarnings(st *backend.State, spec *schema.Spec) []string {
	var w []string
	root, _ := conf.ParseRootFS(mainValue(st.ConfText, "rootfs"))
	if cur := conf.GiB(root.Size); spec.StorageSizeGB > 0 && cur > float64(spec.StorageSizeGB) {
		w = append(w, fmt.Sprintf("rootfs is %gG, larger than storage_size_gb %d; disks are never shrunk", cur, spec.StorageSizeGB))
	}
	if cfg, _ := conf.Parse([]byte(st.ConfText)); cfg != nil {
		if keys := foreign(cfg, st.Records, spec); len(keys) > 0 {
			w = append(w, fmt.Sprintf("CT %d has %s, which the spec does not list and phoenix_lxc did not make (not in its managed record): left alone; remove with pct set %d --delete %s if they should go",
				st.CTID, strings.Join(keys, ", "), st.CTID, strings.Join(keys, ",")))
		}
	}
	return w
}

// protectedRemoval says whether removing dels from a protected container
// needs protection lifted first (the spec sets protection: false), and
// refuses it when the spec keeps protection: Proxmox refuses to remove a
// mount point of a protected container (pve-container Config.pm
// check_protection: "can't remove CT <id> drive 'mpN'").
func protectedRemoval(st *backend.State, spec *schema.Spec, dels []string) (bool, error) {
	var mps []string
	for _, k := range dels {
		if isIndexed(k, "mp") {
			mps = append(mps, k)
		}
	}
	if !st.Protected || len(mps) == 0 {
		return false, nil
	}
	if p := spec.Protection; p != nil && !*p {
		return true, nil
	}
	return false, fmt.Errorf("shared_volumes: CT %d is protected (protection: 1), and Proxmox refuses to remove its mount point %s (\"can't remove CT %d drive '%s' - protection mode enabled\"); set protection: false in its spec to remove it",
		st.CTID, mps[0], st.CTID, mps[0])
}

// resizeAction grows the rootfs to storage_size_gb; never shrinks it.
func (b *Backend) resizeAction(ctid int, cfg *conf.Config, spec *schema.Spec) *backend.Action {
	text, _ := cfg.Main.Get("rootfs")
	root, err := conf.ParseRootFS(text)
	cur := conf.GiB(root.Size)
	if spec.StorageSizeGB <= 0 || err != nil || cur >= float64(spec.StorageSizeGB) {
		return nil
	}
	argv := b.C.ResizeArgv(ctid, "rootfs", spec.StorageSizeGB)
	root.Size = fmt.Sprintf("%dG", spec.StorageSizeGB)
	cfg.Main.Set("rootfs", root.String())
	return &backend.Action{Step: "configure", Name: "resize", Argv: argv,
		Why: fmt.Sprintf("rootfs %gG -> %dG", cur, spec.StorageSizeGB),
		Do: func(ctx context.Context) error {
			return b.C.Resize(ctx, ctid, "rootfs", spec.StorageSizeGB)
		}}
}

// mapFixed refuses to give an existing container another id map. pct
// create and pct clone leave the rootfs owned through the default (or the
// source's) map, and Proxmox takes no custom map at create, so a new
// container gets its custom lines once, before pct ever generated an LXC
// config for it (pct set, start and stop do). After that its files are
// owned through the map it has: a container that already has custom
// lines, was ever configured, started or snapshotted keeps its map.
func mapFixed(st *backend.State, cfg *conf.Config, want idmap.Set) error {
	have := confMap(cfg)
	if have != nil && have.Equal(want) {
		return nil
	}
	fresh := len(cfg.Main.RawValues("lxc.idmap")) == 0 && !st.Generated && !st.Running && len(st.Snapshots) == 0
	if fresh {
		return nil
	}
	return fmt.Errorf("idmap: CT %d has the map [%s] and the spec asks for [%s]; its files are owned through the map it has, so the map cannot change in place: destroy it (state: absent) and converge again, or keep its map",
		st.CTID, strings.Join(have.Normalize().Strings(), ", "), strings.Join(want.Normalize().Strings(), ", "))
}

// idmapAction writes the custom map as raw lxc.idmap lines of the main
// section, under pct's lock (pct has no option for raw keys).
func (b *Backend) idmapAction(ctid int, lines, old []string) backend.Action {
	argv := append([]string{"edit", b.C.Conf(ctid), "lxc.idmap:"}, lines...)
	return backend.Action{Step: "configure", Name: "edit", Pseudo: true, Argv: argv,
		Why: fmt.Sprintf("lxc.idmap %q -> %q", old, lines),
		Do: func(ctx context.Context) error {
			return b.C.SetRawIdmap(ctx, ctid, lines)
		}}
}

// predicted is st after its conf became cfg.
func predicted(st *backend.State, cfg *conf.Config) *backend.State {
	p := stateFromConf(st.CTID, cfg)
	p.Exists = true
	p.Running, p.InitPID = st.Running, st.InitPID
	p.GivenMap, p.GivenMapFrom, p.RunningMap = st.GivenMap, st.GivenMapFrom, st.RunningMap
	if p.Lock == "" {
		p.Lock = st.Lock
	}
	return p
}

// mainValue is the value of key in the main section of canonical conf text
// (which ends at the first blank line), without parsing the whole conf.
func mainValue(text, key string) string {
	for _, l := range strings.Split(text, "\n") {
		if l == "" {
			break
		}
		if v, ok := strings.CutPrefix(l, key+": "); ok {
			return v
		}
	}
	return ""
}
