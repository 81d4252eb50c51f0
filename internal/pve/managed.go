package pve

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/pct"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// managedRecord is the record of what phoenix_lxc put on a container, a
// description line such as
//
//	phoenix_lxc: managed=dev0,features.nesting,mp0,net0,net1
//
// It lists the netN, mpN and devN keys and the feature flags the spec
// gave. Only what it lists is ever removed when the spec drops it: a
// user's own mp5, net3 or hand-set feature flag is left alone (a warning
// names the keys). Every `pct create` and `pct set` the module plans
// carries the record as it will be afterwards, when that differs, so a
// converged container costs no call for it; a container converged before
// the record existed takes it on its next change.
const managedRecord = "managed"

// recorded reads the managed record of recs.
func recorded(recs map[string]string) map[string]bool {
	out := map[string]bool{}
	for _, k := range strings.Split(recs[managedRecord], ",") {
		if k != "" {
			out[k] = true
		}
	}
	return out
}

// specKeys are the keys of cfg that spec accounts for: the netN of its
// interfaces, the mpN bind mounts of its shared volumes, the devN of its
// GPU devices and the feature flags of its pct_options (as
// "features.<flag>"), each only when cfg has it.
func specKeys(cfg *conf.Config, spec *schema.Spec) map[string]bool {
	out := map[string]bool{}
	nics := len(spec.NICs())
	devs := map[string]bool{}
	for _, d := range gpuDevices(spec.GPUAssignment) {
		devs[d] = true
	}
	for _, k := range effectiveKeys(cfg) {
		v, _ := effective(cfg, k)
		var mine bool
		switch {
		case isIndexed(k, "net"):
			mine = keyIndex(k) < nics
		case isIndexed(k, "dev"):
			d, _ := conf.ParseDev(v)
			mine = devs[d.Path]
		case isIndexed(k, "mp"):
			mine = volumeOf(spec, v) != nil
		}
		if mine {
			out[k] = true
		}
	}
	if v, ok := effective(cfg, "features"); ok {
		have, _ := conf.ParseFeatures(v)
		named := pctFlagNames(spec)
		for _, f := range have.Names() {
			if slices.Contains(named, f) {
				out["features."+f] = true
			}
		}
	}
	return out
}

// volumeOf is the shared volume of spec an mpN value mounts (same host
// path and mount path), nil for none.
func volumeOf(spec *schema.Spec, mp string) *schema.SharedVolume {
	m, err := conf.ParseMountPoint(mp)
	if err != nil {
		return nil
	}
	for i, v := range spec.SharedVolumes {
		if filepath.Clean(m.Volume) == filepath.Clean(v.HostPath) && filepath.Clean(m.MP) == filepath.Clean(v.MountPath) {
			return &spec.SharedVolumes[i]
		}
	}
	return nil
}

// effectiveKeys are the keys cfg will next run with (main and pending,
// without pending deletes), sorted.
func effectiveKeys(cfg *conf.Config) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range []*conf.Section{&cfg.Main, cfg.Pending} {
		for _, e := range sectionEntries(s) {
			if _, ok := effective(cfg, e.Key); ok && e.Key != "delete" && !seen[e.Key] {
				seen[e.Key] = true
				out = append(out, e.Key)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return keyLess(out[i], out[j]) })
	return out
}

// keyLess orders keys by name, then indexed keys by number (net2 before net10).
func keyLess(a, b string) bool {
	pa, pb := strings.TrimRight(a, "0123456789"), strings.TrimRight(b, "0123456789")
	if pa == pb && pa != a && pb != b {
		return keyIndex(a) < keyIndex(b)
	}
	return a < b
}

// pctFlagNames are the feature flags pct_options names.
func pctFlagNames(spec *schema.Spec) []string {
	flags, _ := spec.Flags() // refused at validation and by wantFeatures
	var out []string
	for _, f := range flags {
		out = append(out, f.Name)
	}
	return out
}

// removals are the keys phoenix_lxc recorded as its own that cfg still has
// and spec no longer accounts for, sorted, each with why. Feature flags are
// removed through the features value (desiredOpts), not here.
func removals(cfg *conf.Config, recs map[string]string, spec *schema.Spec) (keys, why []string) {
	mine, want := recorded(recs), specKeys(cfg, spec)
	for _, k := range effectiveKeys(cfg) {
		v, _ := effective(cfg, k)
		if !mine[k] || want[k] || !ourKind(k, v) {
			continue
		}
		keys = append(keys, k)
		switch {
		case isIndexed(k, "net"):
			why = append(why, fmt.Sprintf("remove %s (%s): the spec has %d interface(s)", k, v, len(spec.NICs())))
		case isIndexed(k, "mp"):
			why = append(why, fmt.Sprintf("remove %s (%s): no longer in shared_volumes", k, v))
		default:
			why = append(why, fmt.Sprintf("remove %s (%s): no longer in gpu_assignment", k, v))
		}
	}
	return keys, why
}

// ourKind reports whether key's value is of a kind phoenix_lxc makes: any
// netN, an mpN bind mount of a host folder, a devN of an NVIDIA device.
// The record sits in the notes, which a Proxmox user without the disk or
// device privileges may edit: a forged record can make a run remove only
// what such a run could have made, never a storage volume or another
// device.
func ourKind(key, v string) bool {
	switch {
	case isIndexed(key, "mp"):
		m, err := conf.ParseMountPoint(v)
		return err == nil && m.Type() == "bind"
	case isIndexed(key, "dev"):
		d, err := conf.ParseDev(v)
		return err == nil && strings.HasPrefix(d.Path, "/dev/nvidia")
	}
	return isIndexed(key, "net")
}

// foreign names the netN, mpN and devN keys of cfg that spec does not
// account for and phoenix_lxc never recorded: the user's own, left alone.
func foreign(cfg *conf.Config, recs map[string]string, spec *schema.Spec) []string {
	mine, want := recorded(recs), specKeys(cfg, spec)
	var out []string
	for _, k := range effectiveKeys(cfg) {
		if (isIndexed(k, "net") || isIndexed(k, "mp") || isIndexed(k, "dev")) && !mine[k] && !want[k] {
			out = append(out, k)
		}
	}
	return out
}

// withManaged returns opts with the description carrying the managed
// record of cfg once opts are applied, when that record differs from
// the one cfg has; the description opt of opts, if any, is kept and
// extended, else one is added. running is whether the container runs.
func withManaged(cfg *conf.Config, opts []pct.Opt, why []string, spec *schema.Spec, running bool) ([]pct.Opt, []string) {
	if len(opts) == 0 {
		return opts, why
	}
	after := copyConf(cfg)
	applyOpts(after, opts, running)
	keys := specKeys(after, spec)
	var list []string
	for k := range keys {
		list = append(list, k)
	}
	sort.Slice(list, func(i, j int) bool { return keyLess(list[i], list[j]) })
	value := strings.Join(list, ",")
	if parseRecords(cfg.Main.Description)[managedRecord] == value {
		return opts, why
	}
	desc := withRecord(after.Main.Description, managedRecord, value)
	for i, o := range opts {
		if o.Key == "description" {
			opts[i].Value = desc
			return opts, append(why, "record managed keys ["+value+"]")
		}
	}
	return append(opts, pct.Opt{Key: "description", Value: desc}), append(why, "record managed keys ["+value+"]")
}

// copyConf is a deep copy of cfg.
func copyConf(cfg *conf.Config) *conf.Config {
	c, _ := conf.Parse(cfg.Bytes())
	if c == nil {
		return &conf.Config{}
	}
	return c
}

// withDelete returns opts with keys added to its delete option (pct set
// --delete k1,k2: one batched removal), which it gains when it has none.
func withDelete(opts []pct.Opt, keys ...string) []pct.Opt {
	if len(keys) == 0 {
		return opts
	}
	for i, o := range opts {
		if o.Key == "delete" {
			opts[i].Value = strings.Join(append(strings.Split(o.Value, ","), keys...), ",")
			return opts
		}
	}
	return append(opts, pct.Opt{Key: "delete", Value: strings.Join(keys, ",")})
}

// applyDeletes records what `pct set --delete` does with keys: removed at
// once when stopped, and for netN (hot-unplugged) or a fast-plug key while
// running; queued as a pending delete otherwise (pve-container
// vmconfig_hotplug_pending).
func applyDeletes(cfg *conf.Config, keys []string, running bool) {
	for _, k := range keys {
		if running && !(liveKeys[k] || isIndexed(k, "net")) {
			if cfg.Pending == nil {
				cfg.Pending = &conf.Section{Name: "pve:pending"}
			}
			cfg.Pending.Delete(k)
			cur, _ := cfg.Pending.Get("delete")
			cfg.Pending.Set("delete", strings.TrimPrefix(cur+","+k, ","))
			continue
		}
		cfg.Main.Delete(k)
		if cfg.Pending != nil {
			cfg.Pending.Delete(k)
		}
	}
}
