// Package hostpath holds the rules for host directories that may be handed
// to a container as a shared volume. Validation and the volume walk both use
// them, so an input is refused the same way before a run and during it.
package hostpath

import (
	"fmt"
	"path/filepath"
	"strings"
)

// refusedTrees are host trees no shared volume may live in: handing any of
// them to a container gives it the host.
var refusedTrees = []string{
	"/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32",
	"/proc", "/run", "/sbin", "/sys",
	"/usr/bin", "/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/libexec",
	"/usr/sbin", "/usr/share", "/usr/include",
	"/var/lib/lxc", "/var/lib/dpkg", "/var/lib/apt",
}

// refusedExact are directories that may hold volumes but may not be one.
var refusedExact = []string{
	"/", "/home", "/media", "/mnt", "/mnt/pve", "/opt", "/root", "/srv", "/tmp",
	"/usr", "/usr/local", "/var", "/var/lib", "/var/lib/vz", "/var/log", "/var/tmp",
}

// CheckVolume refuses a host path that cannot be a shared volume: not absolute,
// not clean (".", "..", "//", a trailing "/"), containing a NUL byte, a system
// directory such as "/" or "/usr", or anything inside a system tree such as
// /etc, /usr/lib or /var/lib/lxc (container root filesystems). It does not
// look at the filesystem; Observe and Apply refuse symlinks.
func CheckVolume(p string) error {
	switch {
	case p == "":
		return fmt.Errorf("shared volume host_path is empty; give an absolute directory path")
	case !filepath.IsAbs(p):
		return fmt.Errorf("shared volume host_path %q is not absolute; give an absolute directory path", p)
	case filepath.Clean(p) != p:
		return fmt.Errorf("shared volume host_path %q is not clean (no \".\", \"..\", \"//\" or trailing \"/\"); write it as %q", p, filepath.Clean(p))
	case strings.ContainsRune(p, 0):
		return fmt.Errorf("shared volume host_path %q contains a NUL byte", p)
	}
	for _, x := range refusedExact {
		if p == x {
			return fmt.Errorf("shared volume host_path %s is a system directory; use a directory inside it", p)
		}
	}
	for _, t := range refusedTrees {
		if p == t || strings.HasPrefix(p, t+"/") {
			return fmt.Errorf("shared volume host_path %s is inside the system tree %s, which must never be handed to a container", p, t)
		}
	}
	return nil
}
