package pve

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/pct"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// liveKeys take effect on a running container at once (pct's fast-plug and
// hot-plug keys); others wait in [pve:pending] until the next start.
var liveKeys = map[string]bool{"description": true, "onboot": true, "startup": true, "protection": true,
	"hostname": true, "hookscript": true, "cores": true, "tags": true, "lock": true,
	"cpulimit": true, "cpuunits": true, "memory": true, "swap": true}

// live reports whether setting key on a running container changes the main
// section; new mpN and devN entries are hot-plugged, replaced ones are not.
func live(key string, isNew bool) bool {
	return liveKeys[key] || isIndexed(key, "net") || isNew && (isIndexed(key, "mp") || isIndexed(key, "dev"))
}

// effective is a key's value as the container will next run with it: the
// pending value when there is one, else the main one.
func effective(cfg *conf.Config, key string) (string, bool) {
	if p := cfg.Pending; p != nil {
		if v, ok := p.Get(key); ok {
			return v, true
		}
		if del, _ := p.Get("delete"); del != "" {
			for _, k := range strings.Split(del, ",") {
				if strings.TrimPrefix(k, "!") == key {
					return "", false
				}
			}
		}
	}
	return cfg.Main.Get(key)
}

// applyOpts records what `pct set` does with opts: the main section when
// stopped or for live keys, [pve:pending] otherwise.
func applyOpts(cfg *conf.Config, opts []pct.Opt, running bool) {
	for _, o := range opts {
		if o.Key == "delete" {
			applyDeletes(cfg, strings.Split(o.Value, ","), running)
			continue
		}
		if o.Key == "description" { // the '#' lines, not a key; fast-plug
			cfg.Main.Description = o.Value
			continue
		}
		_, had := cfg.Main.Get(o.Key)
		if !running || live(o.Key, !had) {
			cfg.Main.Set(o.Key, o.Value)
			if cfg.Pending != nil {
				cfg.Pending.Delete(o.Key)
			}
			continue
		}
		if cfg.Pending == nil {
			cfg.Pending = &conf.Section{Name: "pve:pending"}
		}
		cfg.Pending.Set(o.Key, o.Value)
	}
}

// safeValue refuses a value that could add a key to a property string or a
// line to a conf file.
func safeValue(field, v string) error {
	if strings.ContainsAny(v, ",=\n\r\t ") {
		return fmt.Errorf("%s %q: must not contain ',', '=', spaces or line breaks", field, v)
	}
	return nil
}

// desiredOpts are the `pct set` options that bring cfg to spec, in a fixed
// order, each with a reason: only the keys that differ. Feature flags the
// spec does not name are kept, unless mine (the managed record) lists them.
func desiredOpts(cfg *conf.Config, spec *schema.Spec, mine map[string]bool) ([]pct.Opt, []string, error) {
	var opts []pct.Opt
	var why []string
	want := func(key, value string) {
		if cur, ok := effective(cfg, key); !ok || cur != value {
			opts = append(opts, pct.Opt{Key: key, Value: value})
			why = append(why, fmt.Sprintf("%s %q -> %q", key, cur, value))
		}
	}
	if spec.Name != "" {
		want("hostname", spec.Name)
	}
	if spec.MemoryMB > 0 {
		want("memory", strconv.Itoa(spec.MemoryMB))
	}
	if spec.SwapMB != nil {
		want("swap", strconv.Itoa(*spec.SwapMB))
	}
	if spec.Cores > 0 {
		want("cores", strconv.Itoa(spec.Cores))
	}
	for i, nic := range spec.NICs() {
		key := fmt.Sprintf("net%d", i)
		curText, _ := effective(cfg, key)
		next, err := nicValue(curText, nic, len(spec.Networks) == 0)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", spec.NICField(i, ""), err)
		}
		if have, err := conf.ParseNet(curText); err != nil || have.String() != next {
			want(key, next)
		}
	}
	if err := wantFeatures(cfg, spec, mine, &opts, &why); err != nil {
		return nil, nil, err
	}
	if spec.StartAtBoot != nil {
		want("onboot", map[bool]string{true: "1", false: "0"}[*spec.StartAtBoot])
	}
	if spec.BootOrder != nil || spec.BootDelay != nil {
		curText, _ := effective(cfg, "startup")
		cur, _ := conf.ParseStartup(curText) // an unreadable value is replaced
		next := cur
		if spec.BootOrder != nil {
			next.Order = spec.BootOrder
		}
		if spec.BootDelay != nil {
			next.Up = spec.BootDelay
		}
		if next.String() != cur.String() || curText == "" {
			want("startup", next.String())
		}
	}
	if len(spec.Nameserver) > 0 {
		want("nameserver", strings.Join(spec.Nameserver, " ")) // Proxmox keeps the list space-separated
	}
	if len(spec.Searchdomain) > 0 {
		want("searchdomain", strings.Join(spec.Searchdomain, " "))
	}
	if len(spec.Tags) > 0 {
		cur, _ := effective(cfg, "tags")
		if next := tagSet(strings.Join(spec.Tags, ";")); next != tagSet(cur) {
			opts = append(opts, pct.Opt{Key: "tags", Value: next})
			why = append(why, fmt.Sprintf("tags %q -> %q", cur, next))
		}
	}
	if p := spec.Protection; p != nil {
		if cur, _ := effective(cfg, "protection"); (cur == "1") != *p {
			want("protection", map[bool]string{true: "1", false: "0"}[*p]) // no key is 0
		}
	}
	if spec.Description != nil {
		cur := cfg.Main.Description // a fast-plug key: always the main section's
		if next := withNotes(cur, *spec.Description); notesOf(next) != notesOf(cur) {
			opts = append(opts, pct.Opt{Key: "description", Value: next})
			why = append(why, "description: the notes differ")
		}
	}
	return opts, why, nil
}

// wantFeatures plans the features value, a typed conf.Features: the flags
// pct_options names are merged into those the container has; a flag the
// managed record lists and pct_options no longer names is dropped (and
// features deleted when no flag is left); the rest are kept.
func wantFeatures(cfg *conf.Config, spec *schema.Spec, mine map[string]bool, opts *[]pct.Opt, why *[]string) error {
	flags, err := spec.Flags()
	if err != nil {
		return err
	}
	var names, pairs []string
	for _, f := range flags {
		names, pairs = append(names, f.Name), append(pairs, f.Name+"="+f.Value)
	}
	var dropped []string
	for k := range mine {
		if f, ok := strings.CutPrefix(k, "features."); ok && !slices.Contains(names, f) {
			dropped = append(dropped, f)
		}
	}
	if len(flags) == 0 && len(dropped) == 0 {
		return nil
	}
	add, err := conf.ParseFeatures(strings.Join(pairs, ","))
	if err != nil {
		return fmt.Errorf("pct_options %q: %v (Proxmox's features are nesting, keyctl, fuse, mknod, force_rw_sys and mount)", spec.PctOptions, err)
	}
	curText, _ := effective(cfg, "features")
	cur, err := conf.ParseFeatures(curText)
	if err != nil {
		return fmt.Errorf("features: the container's value %q cannot be read (%v); fix it with pct set --features", curText, err)
	}
	next := cur.Without(dropped).Merge(add)
	switch {
	case next.String() == cur.String():
	case next.String() == "":
		*opts = withDelete(*opts, "features")
		sort.Strings(dropped)
		*why = append(*why, fmt.Sprintf("remove features %q: %s no longer in pct_options", curText, strings.Join(dropped, ", ")))
	default:
		*opts = append(*opts, pct.Opt{Key: "features", Value: next.String()})
		*why = append(*why, fmt.Sprintf("features %q -> %q", curText, next.String()))
	}
	return nil
}

// tagSet is a tag list as Proxmox keeps it, whatever order and separators
// it was given in: lower case, sorted, without repeats, joined with ';'
// (pve-guest-common GuestHelpers get_unique_tags). Two lists of the same
// tags give the same text, so reordering them is never a change.
func tagSet(v string) string {
	seen := map[string]bool{}
	var out []string
	for _, t := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(",; \t", r) }) {
		if t = strings.ToLower(t); !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ";")
}

// gpuDevices are the device nodes gpu_assignment passes through.
func gpuDevices(assign string) []string {
	assign = strings.TrimSpace(assign)
	if assign == "" || assign == "none" {
		return nil
	}
	var devs []string
	for _, i := range strings.Split(assign, ",") {
		devs = append(devs, "/dev/nvidia"+strings.TrimSpace(i))
	}
	return append(devs, "/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools")
}

// gpuOpts adds a devN for each GPU device not yet passed through; each must
// exist under the Proxmox root's /dev.
func (b *Backend) gpuOpts(cfg *conf.Config, spec *schema.Spec) ([]pct.Opt, error) {
	devs := gpuDevices(spec.GPUAssignment)
	if len(devs) == 0 {
		return nil, nil
	}
	have, taken := map[string]bool{}, map[string]bool{}
	for _, s := range []*conf.Section{&cfg.Main, cfg.Pending} {
		if s == nil {
			continue
		}
		for _, e := range s.Entries {
			if isIndexed(e.Key, "dev") {
				taken[e.Key] = true
				d, _ := conf.ParseDev(e.Value)
				have[d.Path] = true
			}
		}
	}
	var opts []pct.Opt
	var missing []string
	for _, d := range devs {
		host := b.C.Dev(strings.TrimPrefix(d, "/dev/"))
		if _, err := b.statNode(host); err != nil {
			missing = append(missing, fmt.Sprintf("%s (%s)", d, host))
			continue
		}
		if !have[d] {
			opts = append(opts, pct.Opt{Key: freeKey("dev", taken), Value: d})
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("gpu_assignment %q: %s not exist on this host: %s; load the NVIDIA driver or fix gpu_assignment",
			spec.GPUAssignment, map[bool]string{true: "this device does", false: "these devices do"}[len(missing) == 1], strings.Join(missing, ", "))
	}
	return opts, nil
}

// nicValue is the netN value that brings cur (a netN value, "" for none)
// to nic, as the typed conf.Net prints it. An interface of networks is the
// spec's: its addresses, VLAN tag, MTU and rate are set or removed as the
// spec says. The old network_config (old) says nothing of ip6, gw6, tag,
// mtu and rate, so those are kept, as is ip when it gives none. A MAC or
// firewall flag the spec does not give is kept, and the container's other
// properties (trunks, link_down, host-managed) always.
func nicValue(cur string, nic schema.Network, old bool) (string, error) {
	for k, v := range map[string]string{"name": nic.Name, "bridge": nic.Bridge, "ip": nic.IP, "gw": nic.GW, "ip6": nic.IP6, "gw6": nic.GW6, "mac_address": nic.MACAddress} {
		if err := safeValue(k, v); err != nil {
			return "", err
		}
	}
	var n conf.Net
	if cur != "" {
		var err error
		if n, err = conf.ParseNet(cur); err != nil {
			return "", fmt.Errorf("the container's value %q cannot be read (%v); fix it with pct set", cur, err)
		}
	}
	n.Name, n.Bridge, n.Type = nic.Name, nic.Bridge, "veth"
	if nic.IP != "" || !old {
		n.IP = nic.IP
	}
	// The gateway belongs to the spec's address: one left over from a
	// clone source does not belong to a dhcp or gateway-less address.
	n.GW = nic.GW
	if !old {
		n.IP6, n.GW6, n.Tag, n.MTU, n.Rate = nic.IP6, nic.GW6, intp(nic.Tag), intp(nic.MTU), ""
		if nic.Rate != nil {
			n.Rate = strconv.FormatFloat(*nic.Rate, 'f', -1, 64)
		}
	}
	if nic.MACAddress != "" {
		n.Hwaddr = strings.ToUpper(nic.MACAddress)
	}
	if nic.Firewall != nil {
		n.Firewall = nic.Firewall
	}
	next := n.String()
	if _, err := conf.ParseNet(next); err != nil { // a value pct would refuse
		return "", err
	}
	return next, nil
}

// intp is n as an optional value: nil for 0 (not set).
func intp(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

// bridgesExist fails, before anything is created or set, where pct start
// would: pve-container's update_lxc_config reads each bridge's MTU through
// pve-common Network.pm read_bridge_mtu, which dies "bridge '<bridge>' does
// not exist" when /sys/class/net/<bridge>/mtu cannot be read, and LXC.pm
// dies "netN: MTU size '<m>' is bigger than bridge MTU '<b>'".
func (b *Backend) bridgesExist(spec *schema.Spec) error {
	for i, nic := range spec.NICs() {
		if nic.Bridge == "" {
			continue
		}
		if err := safeValue(spec.NICField(i, "bridge"), nic.Bridge); err != nil {
			return err
		}
		p := b.C.BridgeMTU(nic.Bridge)
		data, err := b.readNode(p)
		if err != nil || strings.TrimSpace(string(data)) == "" {
			return fmt.Errorf("%s: bridge '%s' does not exist on this host (%s cannot be read); create the bridge or fix the spec", spec.NICField(i, "bridge"), nic.Bridge, p)
		}
		if mtu, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && nic.MTU > mtu {
			return fmt.Errorf("%s: net%d: MTU size '%d' is bigger than bridge MTU '%d' (%s); lower mtu or raise the bridge's", spec.NICField(i, "mtu"), i, nic.MTU, mtu, nic.Bridge)
		}
	}
	return nil
}

// sameLines compares id map lines field by field.
func sameLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(strings.Fields(a[i]), " ") != strings.Join(strings.Fields(b[i]), " ") {
			return false
		}
	}
	return true
}

// withoutProtection drops a protection: 1 from opts (and its reason), for
// the mount points to go first: Proxmox refuses any mpN set on a
// protected container ("can't update CT <id> drive 'mpN'").
func withoutProtection(opts []pct.Opt, why []string) ([]pct.Opt, []string) {
	var o []pct.Opt
	var w []string
	for i, x := range opts {
		if x.Key == "protection" && x.Value == "1" {
			continue
		}
		o = append(o, x)
		if i < len(why) {
			w = append(w, why[i])
		}
	}
	return o, w
}

// withoutKey drops key from opts (and its reason).
func withoutKey(opts []pct.Opt, why []string, key string) ([]pct.Opt, []string) {
	var o []pct.Opt
	var w []string
	for i, x := range opts {
		if x.Key == key {
			continue
		}
		o = append(o, x)
		if i < len(why) {
			w = append(w, why[i])
		}
	}
	return o, w
}
