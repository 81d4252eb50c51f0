// Package hostpath holds the rules for host directories that may be handed
// to a container as a shared volume. A volume's top folder is chowned to
// the container's root, and the container can then write anything in it:
// a volume that is, contains or lies inside a folder root executes from or
// reads as trusted makes container root host root. Validation, the
// module's host checks and the volume walk use these rules, so an input is
// refused the same way before a run and during it.
package hostpath

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
)

// protectedTrees are host trees a volume may not be, contain or lie in:
// the OS and its configuration, root's home, logs, spool and cron, backups,
// package-managed trees, what root executes, the module's own state,
// Proxmox's cluster state and every place guests' disks live by default.
var protectedTrees = []string{
	"/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/sbin",
	"/proc", "/sys", "/run", "/root",
	// /usr but /usr/local, whose own system folders follow
	"/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/libx32", "/usr/libexec",
	"/usr/share", "/usr/include", "/usr/src", "/usr/games",
	"/usr/local/bin", "/usr/local/sbin", "/usr/local/lib", "/usr/local/lib64", "/usr/local/libexec",
	"/usr/local/include", "/usr/local/share", "/usr/local/etc", "/usr/local/games", "/usr/local/src",
	"/usr/local/man",
	"/var/log", "/var/spool", "/var/mail", "/var/backups", "/var/cache", "/var/lib/dpkg", "/var/lib/apt",
	"/var/lib/ucf", "/var/lib/systemd", "/var/lib/polkit-1", "/var/lib/sudo",
	"/var/lib/pve-cluster", "/var/lib/pve-manager", "/var/lib/pve-firewall", "/var/lib/ceph", "/var/lib/rrdcached",
	"/var/lib/lxc", "/var/lib/lxcfs", "/var/lib/vz", "/var/lib/phoenix_lxc",
}

// refusedExact may hold volumes but may not be one.
var refusedExact = []string{
	"/", "/home", "/media", "/mnt", "/mnt/pve", "/opt", "/srv", "/tmp",
	"/usr", "/usr/local", "/var", "/var/lib", "/var/tmp",
}

// StorageContent are the folders Proxmox keeps content in under a
// storage's path (pve-storage Plugin.pm get_subdir: images, private,
// template, dump, snippets, import).
var StorageContent = []string{"images", "private", "template", "dump", "snippets", "import"}

// guestDisk is a path component named like a Proxmox volume (vm-<id>-disk-<n>,
// subvol-<id>-disk-<n>, base-<id>-disk-<n>, with any extension): a guest's
// disk wherever it is mounted (a ZFS subvol, an LVM volume, a raw image).
var guestDisk = regexp.MustCompile(`^(vm|subvol|base)-[0-9]+-disk-[0-9]+($|\.)`)

// safeChar is what the mpN property string (comma-separated key=value) and
// lxc.mount.entry (an fstab line, space-separated) carry unescaped.
func safeChar(r rune) bool {
	return r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+@:~", r))
}

// CheckChars refuses any character a mount's property string or fstab line
// cannot carry: ',', '=', whitespace, quotes, control and non-ASCII
// characters. what names the field in the message.
func CheckChars(what, p string) error {
	for _, r := range p {
		if !safeChar(r) {
			return fmt.Errorf("%s %q contains %q, which a Proxmox mount point (mpN) or an lxc.mount.entry cannot carry; use letters, digits and / . _ - + @ : ~ only", what, p, r)
		}
	}
	return nil
}

// CheckVolume applies the rules that need nothing but the path: absolute
// and clean, only safe characters, not a system directory, not a
// protected tree (nor containing or inside one), no component named like
// a guest disk. The host's own rules are Host.Check's; the filesystem's
// are CheckOnDisk's.
func CheckVolume(p string) error {
	switch {
	case p == "":
		return fmt.Errorf("shared volume host_path is empty; give an absolute directory path")
	case !filepath.IsAbs(p):
		return fmt.Errorf("shared volume host_path %q is not absolute; give an absolute directory path", p)
	case filepath.Clean(p) != p:
		return fmt.Errorf("shared volume host_path %q is not clean (no \".\", \"..\", \"//\" or trailing \"/\"); write it as %q", p, filepath.Clean(p))
	}
	if err := CheckChars("shared volume host_path", p); err != nil {
		return err
	}
	for _, x := range refusedExact {
		if p == x {
			return fmt.Errorf("shared volume host_path %s is a system directory; use a directory inside it", p)
		}
	}
	if err := outside(p, protectedTrees, "the protected host tree"); err != nil {
		return err
	}
	for _, c := range strings.Split(p, "/") {
		if guestDisk.MatchString(c) {
			return fmt.Errorf("shared volume host_path %s has a component %q named like a Proxmox guest disk: a guest's disk may never be handed to a container", p, c)
		}
	}
	return nil
}

// outside refuses p when it is, contains or lies inside one of trees.
func outside(p string, trees []string, what string) error {
	for _, t := range trees {
		switch {
		case p == t || within(p, t):
			return fmt.Errorf("shared volume host_path %s is inside %s %s, which must never be handed to a container", p, what, t)
		case within(t, p):
			return fmt.Errorf("shared volume host_path %s contains %s %s, which must never be handed to a container; use a folder that does not", p, what, t)
		}
	}
	return nil
}

// within reports whether p lies strictly inside dir.
func within(p, dir string) bool {
	return dir == "/" && p != "/" || strings.HasPrefix(p, dir+"/")
}

// Host is what this host adds to the rules, read once at the edge.
type Host struct {
	// Trusted are folders and files root executes or reads as trusted
	// here: the feature and application script folders, the lock folder,
	// the config files, the LXC path.
	Trusted []string
	// Storages are the paths of the node's storages (storage.cfg).
	Storages []string
	// Roots, when set, are the only trees volumes may live in
	// (the shared_volume_roots option).
	Roots []string
	// Expected are the mount points this host means to have mounted
	// (network and is_mountpoint storages, /etc/fstab); Mounted are the
	// mount points mounted now (/proc/self/mountinfo).
	Expected []Mount
	Mounted  map[string]bool
}

// Mount is a mount point the host expects, and what expects it.
type Mount struct{ Path, What string }

// Check applies the host's rules to a volume path CheckVolume accepted.
func (h Host) Check(p string) error {
	if err := outside(p, h.Trusted, "the folder root trusts"); err != nil {
		return err
	}
	for _, s := range h.Storages {
		if p == s {
			return fmt.Errorf("shared volume host_path %s is the root of a Proxmox storage; use a folder inside it that Proxmox does not manage", p)
		}
		var content []string
		for _, c := range StorageContent {
			content = append(content, filepath.Join(s, c))
		}
		if err := outside(p, content, "the Proxmox storage folder"); err != nil {
			return err
		}
	}
	if err := h.checkMounted(p); err != nil {
		return err
	}
	if len(h.Roots) == 0 {
		return nil
	}
	for _, r := range h.Roots {
		if p == r || within(p, r) {
			return nil
		}
	}
	return fmt.Errorf("shared volume host_path %s is not inside any of shared_volume_roots %v", p, h.Roots)
}

// Lstat is the filesystem as CheckOnDisk sees it (tests replace it).
type Lstat func(path string) (uid uint32, mode fs.FileMode, err error)

// CheckOnDisk applies the filesystem's rules to a volume path: no component
// is a symlink; what exists is a directory; every existing parent is owned
// by root and writable by no one else (as sshd's StrictModes checks), or a
// local user could swap a component for a symlink after the run. A parent
// writable by all is accepted only when it is root's and sticky (/tmp):
// there nobody but root can rename or remove root's entries.
func CheckOnDisk(p string, lstat Lstat) error {
	cur := "/"
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, c := range append([]string{""}, parts...) {
		cur = filepath.Join(cur, c)
		uid, mode, err := lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // created by the run, as root
		}
		if err != nil {
			return fmt.Errorf("shared volume host_path %s: %v", p, err)
		}
		switch {
		case mode&fs.ModeSymlink != 0:
			return fmt.Errorf("shared volume host_path %s: %s is a symlink; give the real path (symlinks are never followed)", p, cur)
		case !mode.IsDir():
			return fmt.Errorf("shared volume host_path %s: %s exists and is not a directory (%s)", p, cur, mode.Type())
		case i == len(parts):
			return nil // the volume itself: it is handed over, whoever owns it now
		case uid != 0:
			return fmt.Errorf("shared volume host_path %s: its parent %s belongs to uid %d, not root; another user could replace what is inside it (chown root it, or choose another folder)", p, cur, uid)
		case mode.Perm()&0o022 != 0 && mode&fs.ModeSticky == 0:
			return fmt.Errorf("shared volume host_path %s: its parent %s is writable by group or others (mode %04o); another user could replace what is inside it (chmod go-w it)", p, cur, mode.Perm())
		}
	}
	return nil
}

// SystemLstat is Lstat on this host.
func SystemLstat(path string) (uint32, fs.FileMode, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return 0, 0, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, fmt.Errorf("%s: no owner", path)
	}
	return st.Uid, fi.Mode(), nil
}

// checkMounted refuses a path under an expected mount point that is not
// mounted now: its folders would be made on the disk below, hidden once
// the mount comes back (and Proxmox refuses to mount a storage over a
// non-empty folder). The innermost expected mount point decides.
func (h Host) checkMounted(p string) error {
	var m Mount
	for _, e := range h.Expected {
		if (p == e.Path || within(p, e.Path)) && len(e.Path) > len(m.Path) {
			m = e
		}
	}
	if m.Path == "" || h.Mounted[m.Path] {
		return nil
	}
	return fmt.Errorf("shared volume host_path %s is under %s, where %s is mounted, but nothing is mounted there now; mount it and run again (the folder would otherwise be made on the disk below)", p, m.Path, m.What)
}

// ParseFstab returns the mount points of an fstab file, except swap and
// the root, which is always mounted.
func ParseFstab(text string) []Mount {
	var out []Mount
	for _, l := range strings.Split(text, "\n") {
		f := strings.Fields(l)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		dir := filepath.Clean(unescapeMount(f[1]))
		if !filepath.IsAbs(dir) || dir == "/" || len(f) > 2 && f[2] == "swap" {
			continue
		}
		out = append(out, Mount{Path: dir, What: fmt.Sprintf("the /etc/fstab entry for %s", unescapeMount(f[0]))})
	}
	return out
}

// ParseMountinfo returns the mount points of /proc/self/mountinfo (its
// fifth field).
func ParseMountinfo(text string) map[string]bool {
	out := map[string]bool{}
	for _, l := range strings.Split(text, "\n") {
		if f := strings.Fields(l); len(f) >= 5 {
			out[unescapeMount(f[4])] = true
		}
	}
	return out
}

// unescapeMount undoes the kernel's and fstab's octal escapes (\040 for a
// space, \011, \012, \134).
func unescapeMount(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
