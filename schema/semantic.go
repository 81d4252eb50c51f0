package schema

import (
	"math"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/hostpath"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
)

// Located is one container spec of an input, with where it came from, so a
// problem can name the JSON path of the field.
type Located struct {
	CTID int
	Path string // "lxc_configs.950" or "container"
	Spec *Spec
	// VolumePaths holds, per entry of Spec.SharedVolumes, its JSON path
	// (merged entries point into the hypervisor config).
	VolumePaths []string
}

// CheckFleet applies the rules a JSON Schema cannot express to every
// container of one input, and across them (clone sources, cycles).
func CheckFleet(fleet []Located) Problems {
	var ps Problems
	byID := map[int]Located{}
	for _, l := range fleet {
		byID[l.CTID] = l
	}
	for _, l := range fleet {
		checkSpec(l, &ps)
		checkLinks(l, byID, &ps)
	}
	checkCycles(fleet, &ps)
	return ps
}

var (
	plainName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._+-]*$`)
	ifName    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]{0,14}$`)
	label     = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
)

// CTID range accepted by Proxmox.
const (
	MinCTID = 100
	MaxCTID = 999999999
)

func checkSpec(l Located, ps *Problems) {
	s, p := l.Spec, l.Path
	if l.CTID < MinCTID || l.CTID > MaxCTID {
		ps.add(p, "CTID %d is out of range: Proxmox accepts %d..%d", l.CTID, MinCTID, MaxCTID)
	}
	if !validHostname(s.Name) {
		ps.add(join(p, "name"), "%q is not a valid hostname (letters, digits and '-', labels of 1-63 characters separated by '.', not starting or ending with '-')", s.Name)
	}
	switch {
	case s.Template == "" && s.CloneFromCTID == nil:
		ps.add(join(p, "template"), "is required unless clone_from_ctid is set (a container is created from a template or cloned)")
	case s.Template != "" && s.CloneFromCTID != nil:
		ps.add(join(p, "clone_from_ctid"), "set template or clone_from_ctid, not both")
	}
	notOption(join(p, "template"), s.Template, ps)
	if strings.HasPrefix(s.Template, "/") {
		checkHostPath(join(p, "template"), s.Template, ps)
	}
	notOption(join(p, "storage_pool"), s.StoragePool, ps)
	if s.Node != "" && !validHostname(s.Node) {
		ps.add(join(p, "node"), "%q is not a valid node name (a hostname)", s.Node)
	}
	checkNetworks(p, s, ps)
	checkIdentity(p, s, ps)
	for i, f := range s.Features {
		plainFile(join(p, "features", i), f, "a feature name", ps)
	}
	if s.ApplicationScript != "" {
		plainFile(join(p, "application_script"), s.ApplicationScript, "a script file name in application_script_dir", ps)
	}
	for i, o := range s.PctOptions {
		if _, err := parseFlag(o); err != nil {
			ps.add(join(p, "pct_options", i), "%v", err)
		}
	}
	for i, port := range s.Ports {
		notOption(join(p, "ports", i), port, ps)
	}
	if h := s.HealthCheck; h != nil && strings.TrimSpace(h.Command) == "" {
		ps.add(join(p, "health_check", "command"), "is empty: give the command to run inside the container")
	}
	checkPassword(join(p, "password"), s.Password, ps)
	for i, k := range s.SSHPublicKeys {
		if f := strings.Fields(k); len(f) < 2 || !(strings.HasPrefix(f[0], "ssh-") || strings.HasPrefix(f[0], "ecdsa-") || strings.HasPrefix(f[0], "sk-")) {
			ps.add(join(p, "ssh_public_keys", i), "is not an OpenSSH public key line (\"ssh-ed25519 AAAA... comment\")")
		}
	}
	if s.Firewall != nil {
		checkFirewallRules(join(p, "firewall"), s.Firewall, ps)
	}
	checkIdmapAndVolumes(l, ps)
}

// checkNetworks checks the interfaces: networks, or the old network_config
// with mac_address (net0), never both; names and MAC addresses unique.
func checkNetworks(p string, s *Spec, ps *Problems) {
	if len(s.Networks) > 0 {
		if s.NetworkConfig != nil {
			ps.add(join(p, "network_config"), "set networks or network_config, not both (network_config is networks[0] in the old form)")
		}
		if s.MACAddress != "" {
			ps.add(join(p, "mac_address"), "is net0's MAC in the old form; with networks, give each interface its own mac_address")
		}
	}
	if len(s.Networks) > 32 {
		ps.add(join(p, "networks"), "has %d interfaces; Proxmox allows net0..net31", len(s.Networks))
	}
	names, macs := map[string]int{}, map[string]int{}
	for i, n := range s.NICs() {
		field := func(f string) string { return join(p, s.NICField(i, f)) }
		checkNetwork(field, n, ps)
		if j, ok := names[n.Name]; ok && n.Name != "" {
			ps.add(field("name"), "%q is also the name of interface %d: each interface needs its own name", n.Name, j)
		}
		names[n.Name] = i
		if m := strings.ToLower(n.MACAddress); m != "" {
			if j, ok := macs[m]; ok {
				ps.add(field("mac_address"), "%q is also the MAC address of interface %d", n.MACAddress, j)
			}
			macs[m] = i
		}
	}
}

// checkNetwork checks one interface; field gives a field's spec path.
func checkNetwork(field func(string) string, n Network, ps *Problems) {
	if !ifName.MatchString(n.Name) {
		ps.add(field("name"), "%q is not an interface name (1-15 letters, digits, '.', '_', '-')", n.Name)
	}
	if !ifName.MatchString(n.Bridge) {
		ps.add(field("bridge"), "%q is not a bridge name (1-15 letters, digits, '.', '_', '-')", n.Bridge)
	}
	if n.IP != "" && n.IP != "dhcp" && n.IP != "manual" {
		if pr, err := netip.ParsePrefix(n.IP); err != nil || !pr.Addr().Is4() {
			ps.add(field("ip"), "%q is not an IPv4 address with prefix (10.0.0.5/24), dhcp or manual", n.IP)
		}
	}
	if n.GW != "" {
		if a, err := netip.ParseAddr(n.GW); err != nil || !a.Is4() {
			ps.add(field("gw"), "%q is not an IPv4 address", n.GW)
		}
	}
	if n.IP6 != "" && n.IP6 != "dhcp" && n.IP6 != "auto" && n.IP6 != "manual" {
		if pr, err := netip.ParsePrefix(n.IP6); err != nil || !pr.Addr().Is6() || pr.Addr().Is4In6() || pr.Addr().Zone() != "" {
			ps.add(field("ip6"), "%q is not an IPv6 address with prefix (fd00::5/64), dhcp, auto or manual", n.IP6)
		}
	}
	if n.GW6 != "" {
		if a, err := netip.ParseAddr(n.GW6); err != nil || !a.Is6() || a.Is4In6() || a.Zone() != "" {
			ps.add(field("gw6"), "%q is not an IPv6 address", n.GW6)
		}
	}
	if n.Tag != 0 && (n.Tag < 1 || n.Tag > 4094) {
		ps.add(field("tag"), "%d is not a VLAN tag (1-4094)", n.Tag)
	}
	if n.MTU != 0 && (n.MTU < 64 || n.MTU > 65535) {
		ps.add(field("mtu"), "%d is not an MTU Proxmox takes (64-65535)", n.MTU)
	}
	if n.Rate != nil && (*n.Rate < 0 || math.IsInf(*n.Rate, 0) || math.IsNaN(*n.Rate)) {
		ps.add(field("rate"), "%v is not a rate in MB/s (0 or more)", *n.Rate)
	}
}

// checkLinks checks clone_from_ctid and dependencies against the fleet.
func checkLinks(l Located, byID map[int]Located, ps *Problems) {
	if c := l.Spec.CloneFromCTID; c != nil {
		path := join(l.Path, "clone_from_ctid")
		src, ok := byID[int(*c)]
		switch {
		case int(*c) == l.CTID:
			ps.add(path, "a container cannot be cloned from itself")
		case !ok:
			ps.add(path, "names %d, which is not a container of this input: the clone source must be defined beside it", *c)
		case src.Spec.TemplateSnapshotName == "":
			ps.add(path, "source %d has no template_snapshot_name: clones are made from that snapshot", *c)
		case src.Spec.IsUnprivileged() != l.Spec.IsUnprivileged():
			ps.add(join(l.Path, "unprivileged"), "is %t but clone source %d has %t: a clone inherits it and Proxmox cannot change it", l.Spec.IsUnprivileged(), *c, src.Spec.IsUnprivileged())
		}
	}
	for i, d := range l.Spec.Dependencies {
		if _, ok := byID[int(d)]; !ok || int(d) == l.CTID {
			ps.add(join(l.Path, "dependencies", i), "names %d, which is not another container of this input", d)
		}
	}
}

// checkCycles reports each loop of clone sources and dependencies once.
func checkCycles(fleet []Located, ps *Problems) {
	next := map[int][]int{}
	path := map[int]string{}
	var ids []int
	for _, l := range fleet {
		ids = append(ids, l.CTID)
		path[l.CTID] = l.Path
		if c := l.Spec.CloneFromCTID; c != nil {
			next[l.CTID] = append(next[l.CTID], int(*c))
		}
		for _, d := range l.Spec.Dependencies {
			next[l.CTID] = append(next[l.CTID], int(d))
		}
	}
	sort.Ints(ids)
	state := map[int]int{} // 0 new, 1 on the stack, 2 done
	var stack []int
	var visit func(id int)
	visit = func(id int) {
		state[id] = 1
		stack = append(stack, id)
		for _, n := range next[id] {
			if _, known := path[n]; !known || n == id {
				continue
			}
			if state[n] == 1 {
				var loop []string
				for i := len(stack) - 1; i >= 0; i-- {
					loop = append([]string{strconv.Itoa(stack[i])}, loop...)
					if stack[i] == n {
						break
					}
				}
				ps.add(path[n], "clone/dependency cycle: %s -> %d (nothing can be created first)", strings.Join(loop, " -> "), n)
			} else if state[n] == 0 {
				visit(n)
			}
		}
		stack = stack[:len(stack)-1]
		state[id] = 2
	}
	for _, id := range ids {
		if state[id] == 0 {
			visit(id)
		}
	}
}

// ExpectedIdmap is the map a container must run with: its custom idmap,
// else Proxmox's default for an unprivileged container, else identity.
func ExpectedIdmap(s *Spec) (idmap.Set, error) {
	switch {
	case len(s.Idmap) > 0:
		return idmap.Parse(s.Idmap)
	case s.IsUnprivileged():
		return idmap.Default(), nil
	default:
		return idmap.Identity(), nil
	}
}

func checkIdmapAndVolumes(l Located, ps *Problems) {
	s, p := l.Spec, l.Path
	m, err := ExpectedIdmap(s)
	mapOK := err == nil
	if len(s.Idmap) > 0 {
		if !s.IsUnprivileged() {
			ps.add(join(p, "idmap"), "is set on a privileged container: an id map needs unprivileged: true")
		}
		for i, line := range s.Idmap {
			if _, err := idmap.CheckSyntax(line); err != nil {
				ps.add(join(p, "idmap", i), "%v", err)
				mapOK = false
			}
		}
		if mapOK {
			for _, err := range m.Validate() {
				ps.add(join(p, "idmap"), "%v", err)
			}
			for _, k := range []idmap.Kind{idmap.UID, idmap.GID} {
				if h, ok := m.ToHost(k, 0); ok && h == 0 && s.IsUnprivileged() {
					ps.add(join(p, "idmap"), "maps container %cid 0 to host %cid 0: container root would be host root; an unprivileged container's root must map into a range granted in /etc/sub%cid", k, k, k)
				}
			}
		}
	}
	if len(s.SharedVolumes) > 0 && s.TemplateSnapshotName != "" {
		ps.add(join(p, "template_snapshot_name"), "a container with shared volumes cannot be a template: Proxmox cannot snapshot or clone a container with a bind mount point")
	}
	mounts := map[string]string{}
	for i, v := range s.SharedVolumes {
		vp := join(p, "shared_volumes", i)
		if i < len(l.VolumePaths) {
			vp = l.VolumePaths[i]
		}
		s.SharedVolumes[i].Where = vp
		if err := hostpath.CheckVolume(v.HostPath); err != nil {
			ps.add(join(vp, "host_path"), "%v", err)
		}
		checkMountPath(join(vp, "mount_path"), v.MountPath, ps)
		if err := hostpath.CheckChars("mount_path", v.MountPath); err != nil {
			ps.add(join(vp, "mount_path"), "%v", err)
		}
		if prev, dup := mounts[v.MountPath]; dup {
			ps.add(join(vp, "mount_path"), "%s is already mounted by %s", v.MountPath, prev)
		}
		mounts[v.MountPath] = vp
		if mapOK {
			checkOwner(join(vp, "owner"), v.Owner, m, ps)
		}
		checkIdmapped(vp, s, v, ps)
	}
}

// checkIdmapped checks an idmapped volume: only on an unprivileged
// container (Proxmox ignores idmap= on a privileged one: "ignoring 'idmap'
// option unsupported by privileged container"), and never onto host id 0:
// container writes through the mount would land as host root's files.
func checkIdmapped(vp string, s *Spec, v SharedVolume, ps *Problems) {
	if !v.Idmapped {
		if v.HostOwner != "" {
			ps.add(join(vp, "host_owner"), "is only for an idmapped volume: set idmapped: true, or remove host_owner (the owner is then mapped through the container's map)")
		}
		return
	}
	if !s.IsUnprivileged() {
		ps.add(join(vp, "idmapped"), "is set on a privileged container, where Proxmox ignores a mount's idmap (\"ignoring 'idmap' option unsupported by privileged container\"): use unprivileged: true, or a plain volume")
	}
	u, g, err := v.HostIDs()
	if err != nil {
		ps.add(join(vp, "host_owner"), "%v", err)
		return
	}
	if u == 0 || g == 0 {
		ps.add(join(vp, "host_owner"), "maps the volume's owner to host id 0: what the container writes there would be host root's (a setuid file would be a way to host root); give a host uid:gid other than 0")
	}
}

func checkOwner(path, owner string, m idmap.Set, ps *Problems) {
	uid, gid, err := parseIDs("owner", owner)
	if err != nil {
		ps.add(path, "%q is not uid:gid", owner)
		return
	}
	if _, ok := m.ToHost(idmap.UID, uid); !ok {
		ps.add(path, "uid %d is not inside the container's id map %v", uid, m.Strings())
	}
	if _, ok := m.ToHost(idmap.GID, gid); !ok {
		ps.add(path, "gid %d is not inside the container's id map %v", gid, m.Strings())
	}
}

// tagName is pve-common's pve-tag format.
var tagName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_+.-]*$`)

// RecordPrefix starts the description lines phoenix_lxc writes for itself
// (pct backend: the records of features and applications already run).
const RecordPrefix = "phoenix_lxc: "

// checkIdentity checks DNS settings, tags and notes.
func checkIdentity(p string, s *Spec, ps *Problems) {
	for i, a := range s.Nameserver {
		if _, err := netip.ParseAddr(a); err != nil {
			ps.add(join(p, "nameserver", i), "%q is not an IP address", a)
		}
	}
	for i, d := range s.Searchdomain {
		if !validHostname(d) {
			ps.add(join(p, "searchdomain", i), "%q is not a domain name", d)
		}
	}
	seen := map[string]bool{}
	for i, t := range s.Tags {
		switch {
		case !tagName.MatchString(t):
			ps.add(join(p, "tags", i), "%q is not a Proxmox tag (letters, digits, _ - + ., not starting with - + .)", t)
		case seen[strings.ToLower(t)]:
			ps.add(join(p, "tags", i), "%q is given twice", t)
		}
		seen[strings.ToLower(t)] = true
	}
	if s.Description == nil {
		return
	}
	d := *s.Description
	if len(d) > 8192 {
		ps.add(join(p, "description"), "is %d bytes; Proxmox keeps at most 8192", len(d))
	}
	for n, l := range strings.Split(d, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), strings.TrimSpace(RecordPrefix)) {
			ps.add(join(p, "description"), "line %d starts with %q, which is how phoenix_lxc marks its own records; a note may not look like one", n+1, strings.TrimSpace(RecordPrefix))
		}
	}
}
