package pve

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/pct"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/storage"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// ostypes pct detects from a template; the prediction guesses from the
// template's file name.
var ostypes = []string{"debian", "devuan", "ubuntu", "centos", "fedora", "opensuse", "archlinux", "alpine", "gentoo", "nixos"}

// Create plans `pct create` with everything the spec sets that pct create
// accepts, so that Configure finds little or nothing left to do. The
// predicted state is the conf pct writes (its defaults filled in); ostype
// is left to pct's detection.
func (b *Backend) Create(ctid int, spec *schema.Spec) (backend.Action, *backend.State, error) {
	if spec.Template == "" {
		return backend.Action{}, nil, fmt.Errorf("create CT %d: the spec has no template (set template, or clone_from_ctid)", ctid)
	}
	cl, err := b.cluster()
	if err != nil {
		return backend.Action{}, nil, err
	}
	if err := b.placeNew(ctid, spec, cl); err != nil {
		return backend.Action{}, nil, err
	}
	storageCfg := b.storageCfg()
	if err := b.templateExists(spec.Template, storageCfg); err != nil {
		return backend.Action{}, nil, err
	}
	if err := b.storageFits(spec, storageCfg, cl.local); err != nil {
		return backend.Action{}, nil, err
	}
	if err := b.bridgesExist(spec); err != nil {
		return backend.Action{}, nil, err
	}
	if err := b.idmappedSupported(spec); err != nil {
		return backend.Action{}, nil, err
	}
	if _, err := b.gpuOpts(&conf.Config{}, spec); err != nil { // Configure adds them
		return backend.Action{}, nil, err
	}
	pool := spec.StoragePool
	empty := &conf.Config{}
	opts, why, err := desiredOpts(empty, spec, nil)
	if err != nil {
		return backend.Action{}, nil, err
	}
	if len(spec.SharedVolumes) > 0 {
		opts, why = withoutProtection(opts, why) // Mounts sets it after them
	}
	opts, _ = withManaged(empty, opts, why, spec, false)
	create := []pct.Opt{}
	if pool != "" {
		create = append(create, pct.Opt{Key: "storage", Value: pool})
	}
	if spec.StorageSizeGB > 0 {
		rootfs := strconv.Itoa(spec.StorageSizeGB)
		if pool != "" {
			rootfs = pool + ":" + rootfs
		}
		create = append(create, pct.Opt{Key: "rootfs", Value: rootfs})
	}
	create = append(create, pct.Bool("unprivileged", spec.IsUnprivileged()))
	create = append(create, opts...)
	argv := b.C.CreateArgv(ctid, spec.Template, create)

	// What pct writes: defaults, then the options.
	pred := &conf.Config{}
	m := &pred.Main
	m.Set("arch", "amd64")
	m.Set("hostname", "CT"+strconv.Itoa(ctid))
	m.Set("memory", "512")
	m.Set("swap", "512")
	if pool == "" {
		pool = "local"
	}
	size := spec.StorageSizeGB
	if size <= 0 {
		size = 4
	}
	m.Set("rootfs", fmt.Sprintf("%s:%s,size=%dG", pool, storage.VolumeName(storage.Types(storageCfg)[pool], ctid, 0), size))
	if spec.IsUnprivileged() {
		m.Set("unprivileged", "1") // pct writes no key for a privileged CT
	}
	if os := guessOstype(spec.Template); os != "" {
		m.Set("ostype", os)
	}
	applyOpts(pred, opts, false)

	act := backend.Action{Step: "define", Name: "create", Argv: argv, Why: "container does not exist", Do: b.run(argv)}
	return act, predicted(&backend.State{CTID: ctid}, pred), nil
}

// storageFits refuses, before anything is created, a rootfs storage that
// storage.cfg does not define, that is disabled, not available on this
// node (its `nodes`) or holds no `rootdir`
// content, and a template_snapshot_name on a storage that cannot take a
// snapshot (pct snapshot would fail after everything else was built:
// "snapshot feature is not available"). Without storage.cfg pct decides.
func (b *Backend) storageFits(spec *schema.Spec, storageCfg, node string) error {
	if storageCfg == "" {
		return nil
	}
	pool := spec.StoragePool
	if pool == "" {
		pool = "local"
	}
	var found *storage.Storage
	for _, s := range storage.Parse(storageCfg) {
		if s.ID == pool {
			found = &s
		}
	}
	if found == nil && pool == "local" {
		found = &storage.Storage{Type: "dir", ID: "local", Props: map[string]string{"content": "rootdir"}} // pve-storage's default
	}
	if found == nil {
		return fmt.Errorf("storage_pool: storage '%s' does not exist in %s", pool, b.C.StorageCfg())
	}
	if _, off := found.Props["disable"]; off {
		return fmt.Errorf("storage_pool: storage '%s' is disabled in %s", pool, b.C.StorageCfg())
	}
	if nodes, ok := found.Props["nodes"]; ok && !slices.Contains(strings.Split(nodes, ","), node) {
		// pve-storage storage_check_node, which pct create calls.
		return fmt.Errorf("storage_pool: storage '%s' is not available on node '%s' (%s restricts it to nodes %s)", pool, node, b.C.StorageCfg(), nodes)
	}
	if c, ok := found.Props["content"]; ok && !strings.Contains(","+c+",", ",rootdir,") {
		return fmt.Errorf("storage_pool: storage '%s' does not hold container volumes (its content is %q, without rootdir)", pool, c)
	}
	if spec.TemplateSnapshotName != "" && !storage.CanSnapshot(found.Type) {
		return fmt.Errorf("template_snapshot_name: storage '%s' (type %s) cannot snapshot a container volume; put the template on LVM-thin, ZFS, RBD or BTRFS storage", pool, found.Type)
	}
	return nil
}

// storageCfg is the node's storage.cfg, "" when there is none.
func (b *Backend) storageCfg() string {
	data, _ := b.readNode(b.C.StorageCfg())
	return string(data)
}

// templateExists fails as pct create would ("can't find file ...") when
// the template is an absolute path, or a vztmpl volume of a dir-like
// storage (storage.cfg; pve-storage adds `local` at /var/lib/vz when the
// file has none), that is not there. Other storages are left to pct.
func (b *Backend) templateExists(t, storageCfg string) error {
	var path string
	if strings.HasPrefix(t, "/") {
		path = b.C.Join(t)
	} else if store, file, ok := strings.Cut(t, ":vztmpl/"); ok {
		dirs := map[string]string{"local": "/var/lib/vz"}
		for _, s := range storage.Parse(storageCfg) {
			if p := s.Props["path"]; p != "" {
				dirs[s.ID] = p
			} else {
				delete(dirs, s.ID)
			}
		}
		dir, known := dirs[store]
		if !known {
			return nil
		}
		path = b.C.Join(dir, "template/cache", file)
	} else {
		return nil
	}
	if fi, err := b.statNode(path); err != nil || fi.IsDir() {
		return fmt.Errorf("template: can't find file '%s' (looked at %s)", t, path)
	}
	return nil
}

func guessOstype(template string) string {
	base := strings.ToLower(filepath.Base(template))
	for _, o := range ostypes {
		if strings.HasPrefix(base, o) {
			return o
		}
	}
	return ""
}

// Clone plans `pct clone <src> <id> --snapname <snap> --hostname <name>`:
// a full copy (to storage_pool when set) from a normal container, a linked
// clone from a template (which has no snapshots to name). The predicted
// state is the snapshot's keys with the new hostname, no snapshots, no
// pending changes, and unknown (regenerated) MAC addresses.
func (b *Backend) Clone(ctid int, src *backend.State, snap string, spec *schema.Spec) (backend.Action, *backend.State, error) {
	cl, err := b.cluster()
	if err != nil {
		return backend.Action{}, nil, err
	}
	if err := b.placeNew(ctid, spec, cl); err != nil {
		return backend.Action{}, nil, err
	}
	types := storage.Types(b.storageCfg())
	// A template is cloned linked where its storage can (pct's default);
	// elsewhere a linked clone fails, so it is copied in full.
	full := !src.Template || !storage.CanLinkClone(types[rootfsStorage(src)])
	var opts []pct.Opt
	if !src.Template && snap != "" {
		opts = append(opts, pct.Opt{Key: "snapname", Value: snap})
	}
	if spec.Name != "" {
		opts = append(opts, pct.Opt{Key: "hostname", Value: spec.Name})
	}
	opts = append(opts, pct.Bool("full", full))
	if full && spec.StoragePool != "" {
		opts = append(opts, pct.Opt{Key: "storage", Value: spec.StoragePool})
	}
	argv := b.C.CloneArgv(src.CTID, ctid, opts)
	act := backend.Action{Step: "define", Name: "clone", Argv: argv,
		Why: fmt.Sprintf("container does not exist; clone of CT %d at snapshot %q", src.CTID, snap),
		Do:  b.run(argv)}
	return act, predicted(&backend.State{CTID: ctid}, cloneConf(ctid, src, snap, spec, full, types)), nil
}

// rootfsStorage is the storage of a container's rootfs volume.
func rootfsStorage(st *backend.State) string {
	cfg, _ := conf.Parse([]byte(st.ConfText))
	v, _ := cfg.Main.Get("rootfs")
	root, _ := conf.ParseRootFS(v)
	store, _, _ := strings.Cut(root.Volume, ":")
	return store
}

// cloneConf is what pct clone writes for the new container.
func cloneConf(ctid int, src *backend.State, snap string, spec *schema.Spec, full bool, types map[string]string) *conf.Config {
	scfg, _ := conf.Parse([]byte(src.ConfText))
	from := &scfg.Main
	if s := scfg.Snapshot(snap); s != nil && !src.Template {
		from = s
	}
	out := &conf.Config{}
	m := &out.Main
	m.Description = from.Description
	if from == &scfg.Main && !src.Template {
		// The snapshot is only planned: it will carry the feature records
		// of this moment (see Snapshot).
		m.Description = featureRecords(src.Records)
	}
	m.Raw = append(m.Raw, from.Raw...)
	for _, e := range from.Entries {
		switch {
		case e.Key == "snaptime" || e.Key == "parent" || e.Key == "snapstate" || e.Key == "template" ||
			e.Key == "lock" || isIndexed(e.Key, "unused"):
			continue
		case isIndexed(e.Key, "net"):
			n, err := conf.ParseNet(e.Value)
			if err != nil {
				m.Set(e.Key, e.Value)
				continue
			}
			n.Hwaddr = "" // pct clone gives every NIC a new MAC
			m.Set(e.Key, n.String())
		case e.Key == "rootfs":
			root, err := conf.ParseRootFS(e.Value)
			if err != nil {
				m.Set(e.Key, e.Value)
				continue
			}
			store, _, _ := strings.Cut(root.Volume, ":")
			if full && spec.StoragePool != "" {
				store = spec.StoragePool
			}
			root.Volume = store + ":" + storage.VolumeName(types[store], ctid, 0)
			m.Set(e.Key, root.String())
		default:
			m.Set(e.Key, e.Value)
		}
	}
	if spec.Name != "" {
		m.Set("hostname", spec.Name)
	}
	return out
}

// Mounts plans one `pct set` with an mpN bind mount per volume: an entry
// with the same host path and mount path is kept (its ro flag corrected),
// a new one takes the first free mpN.
func (b *Backend) Mounts(st *backend.State, spec *schema.Spec) ([]backend.Action, *backend.State, error) {
	opts, why, err := mountOpts(st, spec.SharedVolumes)
	if err != nil {
		return nil, nil, err
	}
	if len(opts) > 0 && st.Protected {
		return nil, nil, fmt.Errorf("shared_volumes: CT %d is protected (protection: 1), and Proxmox refuses to change its mount point %s (\"can't update CT %d drive '%s' - protection mode enabled\"); set protection: false in its spec to change it", st.CTID, opts[0].Key, st.CTID, opts[0].Key)
	}
	if len(opts) == 0 {
		return nil, st, nil
	}
	cfg, _ := conf.Parse([]byte(st.ConfText))
	opts, why = withManaged(cfg, opts, why, spec, st.Running)
	argv := b.C.SetArgv(st.CTID, opts)
	acts := []backend.Action{{Step: "shared_volumes", Name: "set", Argv: argv, Why: strings.Join(why, "; "), Do: b.run(argv)}}
	applyOpts(cfg, opts, st.Running)
	if p := spec.Protection; p != nil && *p {
		// Configure left protection for after the mount points: Proxmox
		// refuses any mpN set on a protected container.
		prot := []pct.Opt{{Key: "protection", Value: "1"}}
		argv := b.C.SetArgv(st.CTID, prot)
		acts = append(acts, backend.Action{Step: "shared_volumes", Name: "set", Argv: argv, Why: "protection, after the mount points", Do: b.run(argv)})
		applyOpts(cfg, prot, st.Running)
	}
	return acts, predicted(st, cfg), nil
}

// mountOpts are the mpN settings that bring st's bind mounts to vols: a
// new key for a new volume, the same key for a read-only flag that differs.
func mountOpts(st *backend.State, vols []schema.SharedVolume) ([]pct.Opt, []string, error) {
	cfg, _ := conf.Parse([]byte(st.ConfText))
	taken := map[string]bool{}
	for _, s := range []*conf.Section{&cfg.Main, cfg.Pending} {
		for _, e := range sectionEntries(s) {
			if isIndexed(e.Key, "mp") {
				taken[e.Key] = true
			}
		}
	}
	var opts []pct.Opt
	var why []string
	for _, v := range vols {
		for _, p := range []string{v.HostPath, v.MountPath} {
			if err := safeValue("shared volume path", p); err != nil {
				return nil, nil, err
			}
		}
		idm, err := mountIdmap(v)
		if err != nil {
			return nil, nil, err
		}
		key := ""
		for _, m := range st.Mounts {
			if filepath.Clean(m.HostPath) == filepath.Clean(v.HostPath) && filepath.Clean(m.MountPath) == filepath.Clean(v.MountPath) {
				key = m.Key
				if m.ReadOnly == v.ReadOnly && m.Idmap == idm {
					key = "keep"
				}
			}
		}
		if key == "keep" {
			continue
		}
		if key == "" {
			key = freeKey("mp", taken)
		}
		mp := conf.MountPoint{Volume: v.HostPath, MP: v.MountPath, IDMap: idm}
		if v.ReadOnly {
			mp.RO = &v.ReadOnly
		}
		val := mp.String()
		opts = append(opts, pct.Opt{Key: key, Value: val})
		why = append(why, fmt.Sprintf("%s %s", key, val))
	}
	return opts, why, nil
}

// mountIdmap is the mpN idmap= of an idmapped volume: its owner (container
// ids) mapped to host_owner on disk, one uid and one gid entry, in
// pve-container's "type:container:disk:range-size" form; "" for a plain
// volume. Every other id of the mount falls back to the container's map.
func mountIdmap(v schema.SharedVolume) (string, error) {
	if !v.Idmapped {
		return "", nil
	}
	cu, cg, err := v.OwnerIDs()
	if err != nil {
		return "", err
	}
	hu, hg, err := v.HostIDs()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("u:%d:%d:1;g:%d:%d:1", cu, hu, cg, hg), nil
}

func sectionEntries(s *conf.Section) []conf.Entry {
	if s == nil {
		return nil
	}
	return s.Entries
}
