package lxc

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// Configure plans one rewrite of the container's config that sets the keys
// the spec owns (see the package documentation) and keeps every other line.
// The id map is fixed at creation: a spec asking for another one is refused.
func (b *Backend) Configure(st *backend.State, spec *schema.Spec) ([]backend.Action, *backend.State, error) {
	want, err := desiredMap(spec)
	if err != nil {
		return nil, nil, err
	}
	c := parseConf(st.ConfText)
	have, err := confMap(c)
	if err != nil {
		return nil, nil, fmt.Errorf("CT %d config: %w", st.CTID, err)
	}
	if !have.Equal(want) {
		return nil, nil, fmt.Errorf("idmap: CT %d was created with map [%s] and the spec asks for [%s]; its rootfs is owned through the old map, so the map cannot change in place: destroy it (state: absent) and converge again",
			st.CTID, strings.Join(have.Normalize().Strings(), ", "), strings.Join(want.Normalize().Strings(), ", "))
	}
	e, err := b.desired(spec)
	if err != nil {
		return nil, nil, err
	}
	e.del = append(e.del, droppedMounts(c, spec)...)
	acts, pred := b.editAction(st, "configure", "set", e)
	return acts, pred, nil
}

// droppedMounts are the shared-volume entries of c (the form Mounts
// writes: a bind,create=dir of an absolute host path) that no volume of
// spec names any more: removed in Configure's one edit. The template's own
// entries (tmpfs, proc, its read-only binds) are of another form and stay.
func droppedMounts(c *conf, spec *schema.Spec) []kv {
	var out []kv
	for _, have := range c.all("lxc.mount.entry") {
		m, ok := parseMountEntry(have)
		if !ok {
			continue
		}
		kept := false
		for _, v := range spec.SharedVolumes {
			kept = kept || m.HostPath == v.HostPath && m.MountPath == cleanMountPath(v.MountPath)
		}
		if !kept {
			out = append(out, kv{"lxc.mount.entry", have})
		}
	}
	return out
}

// Mounts plans lxc.mount.entry bind mounts for vols; entries already there
// are kept, an entry whose read-only flag differs is replaced. Entries are
// only added, never removed. A running container sees them after a restart.
func (b *Backend) Mounts(st *backend.State, spec *schema.Spec) ([]backend.Action, *backend.State, error) {
	vols := spec.SharedVolumes
	e := newEdit()
	c := parseConf(st.ConfText)
	for _, v := range vols {
		want := mountEntry(v.HostPath, v.MountPath, v.ReadOnly)
		e.add = append(e.add, kv{"lxc.mount.entry", want})
		for _, have := range c.all("lxc.mount.entry") {
			m, ok := parseMountEntry(have)
			if ok && have != want && m.HostPath == v.HostPath && m.MountPath == cleanMountPath(v.MountPath) {
				e.del = append(e.del, kv{"lxc.mount.entry", have})
			}
		}
	}
	if err := e.check(); err != nil {
		return nil, nil, err
	}
	for _, v := range vols {
		if strings.ContainsAny(v.HostPath+v.MountPath, " \t") {
			return nil, nil, fmt.Errorf("shared_volumes: %q -> %q: paths with spaces or tabs cannot be written to lxc.mount.entry", v.HostPath, v.MountPath)
		}
	}
	acts, pred := b.editAction(st, "shared_volumes", backend.BindMount, e)
	return acts, pred, nil
}

// editAction plans one atomic rewrite of st's config with e; no action when
// nothing differs. Do re-reads the file and applies e to what is there then.
func (b *Backend) editAction(st *backend.State, step string, name backend.Kind, e *edit) ([]backend.Action, *backend.State) {
	c := parseConf(st.ConfText)
	changes, keys := e.apply(c)
	pred := *st
	if len(changes) == 0 {
		return nil, &pred
	}
	pred.ConfText = c.String()
	pred.Hostname, _ = c.get("lxc.uts.name")
	pred.Mounts = parseMounts(c)
	if st.Running {
		pred.Pending = mergeKeys(st.Pending, keys)
	}
	path := b.confPath(st.CTID)
	running, ctid := st.Running, st.CTID
	act := backend.Action{
		Step: step, Name: name, Pseudo: true,
		Argv: append([]string{"edit-config", path}, changes...),
		Why:  "config differs: " + strings.Join(changes, "; "),
		Do: func(ctx context.Context) error {
			data, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("CT %d: read config: %w", ctid, err)
			}
			now := parseConf(string(data))
			e.apply(now)
			if err := writeAtomic(path, []byte(now.String()), 0o640); err != nil {
				return err
			}
			if running {
				return addPending(b.pending(ctid), keys)
			}
			return nil
		},
	}
	if running {
		act.Why += " (a running container takes this on its next restart)"
	}
	return []backend.Action{act}, &pred
}

func mergeKeys(a, b []string) []string {
	out := append([]string{}, a...)
	for _, k := range b {
		if !contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}
