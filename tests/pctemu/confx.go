package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
)

// This file connects the emulator to internal/pve/conf, the project's
// parser and writer of /etc/pve/lxc/<id>.conf and its property strings.

// load reads a CT's config, printing pct's load warnings on stderr.
func (e *env) load(id string) (*conf.Config, error) {
	data, err := os.ReadFile(e.confPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, e.notExist(id)
	}
	if err != nil {
		return nil, fmt.Errorf("unable to read config of CT %s: %v", id, err)
	}
	c, warns := conf.Parse(data)
	for _, w := range warns {
		fmt.Fprintf(e.stderr, "vm %s - %s\n", id, w.Msg)
	}
	return c, nil
}

// save writes a CT's config in canonical form, atomically.
func (e *env) save(id string, c *conf.Config) error {
	if err := writeAtomic(e.confPath(id), c.Bytes(), 0o640); err != nil {
		return fmt.Errorf("unable to write config of CT %s: %v", id, err)
	}
	return nil
}

// copySection is a deep copy of a section.
func copySection(s *conf.Section) *conf.Section {
	c := &conf.Section{Name: s.Name, Description: s.Description}
	c.Entries = append([]conf.Entry(nil), s.Entries...)
	c.Raw = append([]conf.Entry(nil), s.Raw...)
	return c
}

// mpVolume returns the volume of an mpN, rootfs or unusedN value.
func mpVolume(v string) (string, error) {
	m, err := conf.ParseRootFS(stripMP(v))
	if err != nil {
		vol, _, _ := strings.Cut(v, ",")
		return strings.TrimPrefix(vol, "volume="), nil
	}
	return m.Volume, nil
}

// mpType classifies a mount value: bind, device or volume.
func mpType(v string) string {
	vol, _ := mpVolume(v)
	return conf.MountPoint{Volume: vol}.Type()
}

var allocRe = regexp.MustCompile(`^([^:/]+):(\d+(?:\.\d+)?)$`)

// applyMP validates an mpN or rootfs value, allocates a volume for the
// STORAGE:SIZE form and returns the canonical value.
func (e *env) applyMP(c *conf.Config, id, k, v string) (string, error) {
	parse := conf.ParseMountPoint
	if k == "rootfs" {
		parse = conf.ParseRootFS
	}
	m, err := parse(v)
	if err != nil {
		return "", paramErr(k, "%v", err)
	}
	if m.IDMap != "" {
		if !e.hasMountIdmap() {
			return "", paramErr(k, "invalid key in comma-separated list property: idmap")
		}
		if err := checkMountIdmap(m.IDMap); err != nil {
			return "", paramErr(k, "%v", err)
		}
	}
	if a := allocRe.FindStringSubmatch(m.Volume); a != nil {
		gib, _ := strconv.ParseFloat(a[2], 64)
		m.Volume = e.nextDisk(c, id, a[1])
		m.Size = conf.FormatSize(int64(gib * (1 << 30)))
		return m.String(), nil
	}
	if k == "rootfs" {
		return v, nil
	}
	return m.String(), nil
}

// canonNet validates a netN value, forces type=veth and keeps the old
// MAC or makes a new one with the BC:24:11 prefix.
func canonNet(k, v, old string) (string, error) {
	n, err := conf.ParseNet(v)
	if err != nil {
		return "", paramErr(k, "%v", err)
	}
	n.Type = "veth"
	if n.Hwaddr == "" {
		if o, err := conf.ParseNet(old); err == nil && o.Hwaddr != "" {
			n.Hwaddr = o.Hwaddr
		} else {
			n.Hwaddr = randomMAC()
		}
	}
	return n.String(), nil
}

// randomMAC is a MAC with Proxmox's default prefix BC:24:11.
func randomMAC() string {
	b := make([]byte, 3)
	rand.Read(b)
	return fmt.Sprintf("BC:24:11:%02X:%02X:%02X", b[0], b[1], b[2])
}

// newMAC replaces the hwaddr of a netN value.
func newMAC(v string) string {
	n, err := conf.ParseNet(v)
	if err != nil {
		return v
	}
	n.Hwaddr = randomMAC()
	return n.String()
}

// netFields gives the parts of a netN value the LXC config needs.
func netFields(v string) map[string]string {
	n, err := conf.ParseNet(v)
	if err != nil {
		return map[string]string{}
	}
	f := map[string]string{"name": n.Name, "hwaddr": n.Hwaddr, "bridge": n.Bridge}
	if n.MTU != nil {
		f["mtu"] = strconv.Itoa(*n.MTU)
	}
	return f
}

// parseFeatures returns the features that are on, as name -> "1"
// (mount -> the fs list).
func parseFeatures(v string) (map[string]string, error) {
	f, err := conf.ParseFeatures(v)
	if err != nil {
		return nil, err
	}
	out := map[string]string{"mount": strings.Join(f.Mount, ";")}
	for name, b := range map[string]*bool{"nesting": f.Nesting, "keyctl": f.Keyctl, "fuse": f.Fuse,
		"mknod": f.Mknod, "force_rw_sys": f.ForceRWSys} {
		if b != nil && *b {
			out[name] = "1"
		}
	}
	return out, nil
}

// checkIndexed validates mpN, netN, devN and unusedN values.
func checkIndexed(k, v string) (string, error) {
	var err error
	switch {
	case strings.HasPrefix(k, "mp"):
		_, err = conf.ParseMountPoint(v)
	case strings.HasPrefix(k, "net"):
		_, err = conf.ParseNet(v)
	case strings.HasPrefix(k, "dev"):
		var d conf.Dev
		if d, err = conf.ParseDev(v); err == nil {
			v = d.String()
		}
	}
	if err != nil {
		return "", paramErr(k, "%v", err)
	}
	return v, nil
}

// diskSize reads the size= of a mount value in bytes (4 GiB if absent).
func diskSize(v string) int64 {
	m, err := conf.ParseRootFS(stripMP(v))
	if err != nil || m.Size == "" {
		return 4 << 30
	}
	n, err := conf.ParseSize(m.Size)
	if err != nil {
		return 4 << 30
	}
	return n
}

// withSize returns a mount value with its size= replaced.
func withSize(k, v string, n int64) string {
	return editMount(k, v, func(m *conf.MountPoint) { m.Size = conf.FormatSize(n) })
}

// withVolume returns a mount value pointing at another volume.
func withVolume(k, v, vol string) string {
	return editMount(k, v, func(m *conf.MountPoint) { m.Volume = vol })
}

// editMount parses a rootfs or mpN value, applies edit and prints it back;
// a value that does not parse is returned unchanged.
func editMount(k, v string, edit func(*conf.MountPoint)) string {
	parse := conf.ParseMountPoint
	if k == "rootfs" {
		parse = conf.ParseRootFS
	}
	m, err := parse(v)
	if err != nil {
		return v
	}
	edit(&m)
	return m.String()
}

func stripMP(v string) string {
	var keep []string
	for _, part := range strings.Split(v, ",") {
		if !strings.HasPrefix(part, "mp=") && !strings.HasPrefix(part, "backup=") && !strings.HasPrefix(part, "keepattrs=") {
			keep = append(keep, part)
		}
	}
	return strings.Join(keep, ",")
}

// rootfsBytes is the rootfs size of a section.
func rootfsBytes(s *conf.Section) int64 {
	v, _ := s.Get("rootfs")
	return diskSize(v)
}

// hasMountIdmap says whether the emulated pve-container knows a mount
// point's idmap= (6.1.6 and later): the version in the root's dpkg status
// file; without that file, the emulator is the newest pve-container.
func (e *env) hasMountIdmap() bool {
	data, err := os.ReadFile(e.path("var/lib/dpkg/status"))
	if err != nil {
		return true
	}
	for _, stanza := range strings.Split(string(data), "\n\n") {
		if !strings.Contains(stanza, "Package: pve-container\n") || !strings.Contains(stanza, " installed\n") {
			continue
		}
		for _, l := range strings.Split(stanza, "\n") {
			if v, ok := strings.CutPrefix(l, "Version: "); ok {
				var a, b, c int
				fmt.Sscanf(v, "%d.%d.%d", &a, &b, &c)
				return a > 6 || a == 6 && (b > 1 || b == 1 && c >= 6)
			}
		}
	}
	return false
}

// checkMountIdmap refuses overlapping entries of one kind, as pve-container
// checks a mount's idmap with the lxc.idmap overlap rule.
func checkMountIdmap(v string) error {
	if v == "passthrough" {
		return nil
	}
	type span struct {
		kind        byte
		ct, disk, n int64
	}
	var seen []span
	for _, ent := range strings.Split(v, ";") {
		var s span
		var kind string
		f := strings.Split(ent, ":")
		kind = f[0]
		s.kind = kind[0]
		s.ct, _ = strconv.ParseInt(f[1], 10, 64)
		s.disk, _ = strconv.ParseInt(f[2], 10, 64)
		s.n, _ = strconv.ParseInt(f[3], 10, 64)
		for _, o := range seen {
			if o.kind == s.kind && (s.ct < o.ct+o.n && o.ct < s.ct+s.n || s.disk < o.disk+o.n && o.disk < s.disk+s.n) {
				return fmt.Errorf("invalid map entry '%s': overlapping ranges", ent)
			}
		}
		seen = append(seen, s)
	}
	return nil
}
