package lxc

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// desiredMap is the id map the spec expects (schema.ExpectedIdmap: the
// custom idmap, else the default unprivileged map, else identity for a
// privileged container), checked for what the lxc backend cannot do.
func desiredMap(spec *schema.Spec) (idmap.Set, error) {
	if err := noIdmappedVolumes(spec); err != nil {
		return nil, err
	}
	m, err := schema.ExpectedIdmap(spec)
	if err != nil {
		return nil, fmt.Errorf("idmap: %w", err)
	}
	return m, nil
}

// idmapLines are the lxc.idmap lines that give a container map m: none for
// identity (a privileged container has no user namespace).
func idmapLines(m idmap.Set) []string {
	if m.Equal(idmap.Identity()) {
		return nil
	}
	var out []string
	for _, e := range m {
		out = append(out, e.String())
	}
	return out
}

// confMap is the map a config gives LXC: its lxc.idmap lines, identity
// when it has none.
func confMap(c *conf) (idmap.Set, error) {
	m, err := idmap.Parse(c.all("lxc.idmap"))
	if err != nil || len(m) > 0 {
		return m, err
	}
	return idmap.Identity(), nil
}

// noIdmappedVolumes refuses an idmapped volume: LXC 5's idmap= mount
// option takes an existing user namespace (idmap=container or a
// /proc/<pid>/ns/user path), which cannot express "owner to host_owner,
// the rest through the container's map". Treating it as a plain volume
// would chown the host folder the spec asked to keep, so it is an error,
// raised at create, clone and configure, before anything changes.
func noIdmappedVolumes(spec *schema.Spec) error {
	for i, v := range spec.SharedVolumes {
		if v.Idmapped {
			return fmt.Errorf("shared_volumes.%d.idmapped: the lxc backend cannot make this idmapped mount (LXC 5's idmap= mount option takes a whole user namespace, not a map of one owner): use the pct backend, or a plain volume whose folder is handed to the container's ids", i)
		}
	}
	return nil
}

// nestingConf is the include LXC ships for containers that run containers.
func (b *Backend) nestingConf() string { return filepath.Join(b.ShareDir, "config", "nesting.conf") }

// desired is the config edit that brings a container to spec (everything
// but the id map, which is fixed at creation, and mounts).
func (b *Backend) desired(spec *schema.Spec) (*edit, error) {
	e := newEdit()
	if spec.Name != "" {
		e.set["lxc.uts.name"] = spec.Name
	}
	cg := b.cg.keys(spec.MemoryMB, spec.SwapMB, spec.Cores)
	owned := func(prefixes ...string) {
		for _, k := range ownedCgroupKeys {
			for _, p := range prefixes {
				if _, ok := cg[k]; !ok && strings.Contains(k, p) {
					e.drop = append(e.drop, k)
				}
			}
		}
	}
	for k, v := range cg {
		e.set[k] = v
	}
	if spec.MemoryMB > 0 {
		owned("memory.limit_in_bytes", "memory.max")
		if spec.SwapMB != nil {
			owned("memsw", "swap")
		}
	}
	if spec.Cores > 0 {
		owned("cpu.")
	}
	if err := b.network(e, spec); err != nil {
		return nil, err
	}
	nesting, err := nestingWanted(spec)
	if err != nil {
		return nil, err
	}
	inc := kv{"lxc.include", b.nestingConf()}
	if nesting {
		e.add = append(e.add, inc)
	} else {
		e.del = append(e.del, inc)
	}
	if spec.StartAtBoot != nil {
		e.set["lxc.start.auto"] = map[bool]string{true: "1", false: "0"}[*spec.StartAtBoot]
	}
	if spec.BootOrder != nil {
		e.set["lxc.start.order"] = strconv.Itoa(*spec.BootOrder)
	}
	if spec.BootDelay != nil {
		e.set["lxc.start.delay"] = strconv.Itoa(*spec.BootDelay)
	}
	return e, e.check()
}

// network fills lxc.net.N.* for each interface: a veth on the named
// bridge. The whole lxc.net family is owned (an interface dropped from the
// spec goes), except each hwaddr no mac_address gives (LXC keeps the one it
// generated). No interface at all is lxc.net.0.type = empty.
func (b *Backend) network(e *edit, spec *schema.Spec) error {
	e.dropPrefix = append(e.dropPrefix, "lxc.net.")
	nics := spec.NICs()
	if len(nics) == 0 {
		e.set["lxc.net.0.type"] = "empty"
		return nil
	}
	for i, n := range nics {
		k := func(s string) string { return fmt.Sprintf("lxc.net.%d.%s", i, s) }
		if n.Bridge == "" || strings.ContainsAny(n.Bridge, "/\n\x00") {
			return fmt.Errorf("%s: %q is not a bridge name", spec.NICField(i, "bridge"), n.Bridge)
		}
		if _, err := os.Stat(filepath.Join(b.SysClassNet, n.Bridge)); err != nil {
			return fmt.Errorf("%s: the host has no interface %q (%s missing); create the bridge or fix the spec", spec.NICField(i, "bridge"), n.Bridge, filepath.Join(b.SysClassNet, n.Bridge))
		}
		e.set[k("type")] = "veth"
		e.set[k("link")] = n.Bridge
		e.set[k("flags")] = "up"
		if n.Name != "" {
			e.set[k("name")] = n.Name
		}
		if n.MACAddress != "" {
			e.set[k("hwaddr")] = strings.ToLower(n.MACAddress)
		} else {
			e.keep = append(e.keep, k("hwaddr"))
		}
		if ip := n.IP; ip != "" && ip != "dhcp" && ip != "manual" {
			e.set[k("ipv4.address")] = ip
		}
		if n.GW != "" {
			e.set[k("ipv4.gateway")] = n.GW
		}
		if ip := n.IP6; ip != "" && ip != "dhcp" && ip != "auto" && ip != "manual" {
			e.set[k("ipv6.address")] = ip
		}
		if n.GW6 != "" {
			e.set[k("ipv6.gateway")] = n.GW6
		}
		if n.MTU != 0 {
			e.set[k("mtu")] = strconv.Itoa(n.MTU)
		}
		if n.Tag != 0 {
			e.set[k("veth.vlan.id")] = strconv.Itoa(n.Tag) // LXC 5: the veth's untagged VLAN on a VLAN-aware bridge
		}
	}
	return nil
}

// nestingWanted reads pct_options (schema's Flags): nesting=1 asks for
// LXC's nesting.conf. Flags without an LXC meaning here are reported by
// Warnings, not refused.
func nestingWanted(spec *schema.Spec) (bool, error) {
	flags, err := spec.Flags()
	if err != nil {
		return false, err
	}
	nesting := false
	for _, f := range flags {
		if f.Name == "nesting" {
			nesting = f.Value == "1"
		}
	}
	return nesting, nil
}

// Warnings lists what spec asks for that this backend does not do (see the
// package documentation); the pipeline may show them to the user.
func (b *Backend) Warnings(spec *schema.Spec) []string {
	var w []string
	for i, n := range spec.NICs() {
		if n.Rate != nil {
			w = append(w, fmt.Sprintf("%s has no effect on the lxc backend (no rate limit)", spec.NICField(i, "rate")))
		}
		if len(spec.Networks) > 0 && n.Firewall != nil && *n.Firewall {
			w = append(w, fmt.Sprintf("%s has no effect on the lxc backend (no Proxmox firewall)", spec.NICField(i, "firewall")))
		}
	}
	flags, _ := spec.Flags() // a malformed one fails in Configure
	for _, f := range flags {
		if f.Name != "nesting" {
			w = append(w, fmt.Sprintf("pct_options %q has no effect on the lxc backend", f.Name+"="+f.Value))
		}
	}
	return w
}

// Fields: what the lxc backend does with each spec field ("" honoured;
// pct_options: only nesting, which Warnings says flag by flag).
func (b *Backend) Fields() map[string]string {
	proxmox := "a Proxmox setting the lxc backend does not keep"
	return map[string]string{
		"name": "", "memory_mb": "", "swap_mb": "", "cores": "", "template": "",
		"storage_pool":    "ignored by the lxc backend (a directory rootfs)",
		"storage_size_gb": "ignored by the lxc backend (a directory rootfs)",
		"network_config":  "", "mac_address": "", "networks": "", "features": "",
		"gpu_assignment": "not passed through by the lxc backend",
		"portainer_role": "", "unprivileged": "", "clone_from_ctid": "", "template_snapshot_name": "", "application_script": "",
		"pct_options": "", "ports": "", "health_check": "",
		"firewall":     "a Proxmox feature; the lxc backend ignores it",
		"dependencies": "", "start_at_boot": "", "boot_order": "", "boot_delay": "", "node": "",
		"nameserver": proxmox + " (the container's own /etc/resolv.conf is its own)", "searchdomain": proxmox + " (the container's own /etc/resolv.conf is its own)",
		"tags": proxmox, "protection": proxmox, "description": proxmox,
		"idmap": "", "shared_volumes": "", "password": "", "ssh_public_keys": "",
		"vllm_model": "", "vllm_served_model_name": "", "vllm_port": "", "vllm_tensor_parallel_size": "",
		"vllm_gpu_memory_utilization": "", "vllm_max_model_len": "", "vllm_args": "",
	}
}
