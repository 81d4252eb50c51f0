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
}

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
