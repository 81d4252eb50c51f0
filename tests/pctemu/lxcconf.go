package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
)

// bridgeMTU is pve-common Network.pm read_bridge_mtu: the first line of
// /sys/class/net/<bridge>/mtu, or "bridge '<bridge>' does not exist".
func (e *env) bridgeMTU(bridge string) (int, error) {
	data, _ := os.ReadFile(e.path(filepath.Join("sys/class/net", filepath.Base("/"+bridge), "mtu")))
	line, _, _ := strings.Cut(string(data), "\n")
	if line == "" {
		return 0, fmt.Errorf("bridge '%s' does not exist", bridge)
	}
	n, err := strconv.Atoi(line)
	if err != nil {
		return 0, fmt.Errorf("unable to parse mtu value")
	}
	return n, nil
}

// lxcConfigPath is the generated LXC config of a CT.
func (e *env) lxcConfigPath(id string) string { return filepath.Join(e.lxcDir(id), "config") }

// writeLXCConfig regenerates /var/lib/lxc/<id>/config from the main
// section (pct-spec §4.3), honouring PCTEMU_IDMAP_BUG.
func (e *env) writeLXCConfig(id string, c *conf.Config) error {
	text, err := genLXCConfig(id, &c.Main, e.idmapBug, e.bridgeMTU)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(e.rootfs(id), 0o755); err != nil {
		return fmt.Errorf("pctemu: cannot create %s: %v", e.rootfs(id), err)
	}
	return writeAtomic(e.lxcConfigPath(id), []byte(text), 0o644)
}

// genLXCConfig renders the generated config of one CT.
func genLXCConfig(id string, m *conf.Section, bug string, bridgeMTU func(string) (int, error)) (string, error) {
	var b strings.Builder
	kv := func(k, v string) { fmt.Fprintf(&b, "%s = %s\n", k, v) }
	custom := m.RawValues("lxc.idmap")
	userns := getOr(m, "unprivileged", "0") == "1" || len(custom) > 0
	ostype := getOr(m, "ostype", "debian")
	feat, _ := parseFeatures(getOr(m, "features", ""))

	kv("lxc.cgroup.relative", "0")
	kv("lxc.cgroup.dir.monitor", "lxc.monitor/"+id)
	kv("lxc.cgroup.dir.container", "lxc/"+id)
	kv("lxc.cgroup.dir.container.inner", "ns")
	kv("lxc.arch", getOr(m, "arch", "amd64"))
	kv("lxc.include", "/usr/share/lxc/config/"+ostype+".common.conf")
	if userns {
		kv("lxc.include", "/usr/share/lxc/config/"+ostype+".userns.conf")
		if len(m.RawValues("lxc.seccomp.profile")) == 0 {
			kv("lxc.seccomp.profile", "/var/lib/lxc/"+id+"/rules.seccomp")
		}
	}
	if len(m.RawValues("lxc.apparmor.profile")) == 0 {
		kv("lxc.apparmor.profile", "generated")
		kv("lxc.apparmor.raw", "allow mqueue,")
		if feat["nesting"] == "1" {
			kv("lxc.apparmor.allow_nesting", "1")
			kv("lxc.apparmor.raw", "allow userns,")
		} else {
			kv("lxc.apparmor.raw", "deny mount -> /proc/,")
			kv("lxc.apparmor.raw", "deny mount -> /sys/,")
		}
	}
	if userns && feat["force_rw_sys"] != "1" {
		kv("lxc.mount.auto", "sys:mixed")
	}
	kv("lxc.monitor.unshare", "1")
	if userns && len(custom) == 0 {
		switch bug {
		case "missing":
		case "wrong":
			kv("lxc.idmap", "u 0 200000 65536")
			kv("lxc.idmap", "g 0 200000 65536")
		default:
			kv("lxc.idmap", "u 0 100000 65536")
			kv("lxc.idmap", "g 0 100000 65536")
		}
	}
	if getOr(m, "console", "1") == "0" {
		kv("lxc.console.path", "none")
	}
	kv("lxc.tty.max", getOr(m, "tty", "2"))
	kv("lxc.environment", "TERM=linux")
	kv("lxc.uts.name", getOr(m, "hostname", "CT"+id))
	mem, _ := strconv.ParseInt(getOr(m, "memory", "512"), 10, 64)
	swap, _ := strconv.ParseInt(getOr(m, "swap", "512"), 10, 64)
	kv("lxc.cgroup2.memory.max", strconv.FormatInt(mem<<20, 10))
	high := mem * 1024 * 1016
	if mem >= 16384 {
		high = (mem - 128) << 20
	}
	kv("lxc.cgroup2.memory.high", strconv.FormatInt(high, 10))
	kv("lxc.cgroup2.memory.swap.max", strconv.FormatInt(swap<<20, 10))
	if v, ok := m.Get("cpulimit"); ok {
		f, _ := strconv.ParseFloat(v, 64)
		kv("lxc.cgroup2.cpu.max", fmt.Sprintf("%d 100000", int64(f*100000)))
	}
	kv("lxc.rootfs.path", "/var/lib/lxc/"+id+"/rootfs")
	var nets []string
	for _, en := range m.Entries {
		if strings.HasPrefix(en.Key, "net") && indexedKey.MatchString(en.Key) {
			nets = append(nets, en.Key)
		}
	}
	sort.Strings(nets)
	for _, k := range nets {
		n := strings.TrimPrefix(k, "net")
		v, _ := m.Get(k)
		f := netFields(v)
		pre := "lxc.net." + n + "."
		kv(pre+"type", "veth")
		kv(pre+"veth.pair", "veth"+id+"i"+n)
		if f["hwaddr"] != "" {
			kv(pre+"hwaddr", f["hwaddr"])
		}
		kv(pre+"name", f["name"])
		bmtu, err := bridgeMTU(f["bridge"])
		if err != nil {
			return "", err
		}
		mtu := bmtu
		if f["mtu"] != "" {
			mtu, _ = strconv.Atoi(f["mtu"])
		}
		if mtu > bmtu {
			return "", fmt.Errorf("%s: MTU size '%d' is bigger than bridge MTU '%d'", k, mtu, bmtu)
		}
		kv(pre+"mtu", strconv.Itoa(mtu))
		kv(pre+"script.up", "/usr/share/lxc/lxcnetaddbr")
	}
	for _, r := range m.Raw {
		kv(r.Key, r.Value)
	}
	return b.String(), nil
}

// procMaps renders the uid_map and gid_map of a running CT from the id
// map in its generated config (identity when it has none).
func (e *env) procMaps(id string) (string, string, error) {
	data, err := os.ReadFile(e.lxcConfigPath(id))
	if err != nil {
		return "", "", fmt.Errorf("pctemu: cannot read generated config: %v", err)
	}
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok && strings.TrimSpace(k) == "lxc.idmap" {
			lines = append(lines, strings.TrimSpace(v))
		}
	}
	set := idmap.Identity()
	if len(lines) > 0 {
		if set, err = idmap.Parse(lines); err != nil {
			return "", "", fmt.Errorf("failed to parse idmap: %v", err)
		}
	}
	return set.FormatProc(idmap.UID), set.FormatProc(idmap.GID), nil
}

// idmapConflicts lists pct's start-time warnings for overlapping custom
// lxc.idmap entries.
func idmapConflicts(lines []string) []string {
	set, err := idmap.Parse(lines)
	if err != nil {
		return []string{"lxc.idmap: " + err.Error()}
	}
	var out []string
	for i, a := range set {
		for _, b := range set[:i] {
			if a.Kind != b.Kind {
				continue
			}
			if a.ContainerID < b.ContainerID+b.Count && b.ContainerID < a.ContainerID+a.Count {
				out = append(out, fmt.Sprintf("lxc.idmap: invalid map entry '%s': container %cid %d is also mapped by entry '%s'",
					a, a.Kind, max(a.ContainerID, b.ContainerID), b))
			}
			if a.HostID < b.HostID+b.Count && b.HostID < a.HostID+a.Count {
				out = append(out, fmt.Sprintf("lxc.idmap: invalid map entry '%s': host %cid %d is also mapped by entry '%s'",
					a, a.Kind, max(a.HostID, b.HostID), b))
			}
		}
	}
	return out
}
