package schema

import (
	"path/filepath"
	"strings"
)

// validHostname reports whether s is a hostname: dot-separated labels of
// letters, digits and '-', none starting or ending with '-', at most 253
// characters in all.
func validHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if !label.MatchString(l) {
			return false
		}
	}
	return true
}

// notOption rejects a value that becomes a command-line argument and would
// be read as an option.
func notOption(path, v string, ps *Problems) {
	if strings.HasPrefix(v, "-") {
		ps.add(path, "%q begins with '-': it would be read as a command-line option", v)
	}
}

// plainFile requires a plain file name: no '/', no leading '-' or '.'.
func plainFile(path, v, what string, ps *Problems) {
	if !plainName.MatchString(v) {
		ps.add(path, "%q is not %s: want a plain file name (letters, digits, '.', '_', '+', '-'; no '/', not starting with '-' or '.')", v, what)
	}
}

// forbiddenHostDirs are host trees a template may never point into: the
// Proxmox cluster file system and the kernel's. (Shared volumes follow
// internal/hostpath.)
var forbiddenHostDirs = []string{"/etc/pve", "/proc", "/sys", "/dev"}

// checkHostPath requires an absolute, clean host path, not "/" and not
// inside a forbidden tree. It reports whether the path passed.
func checkHostPath(path, v string, ps *Problems) bool {
	if !absClean(path, v, ps) {
		return false
	}
	if v == "/" {
		ps.add(path, "is \"/\": the host's root cannot be used")
		return false
	}
	ok := true
	for _, d := range forbiddenHostDirs {
		if v == d || strings.HasPrefix(v, d+"/") {
			ps.add(path, "%s is inside %s, which may not be used", v, d)
			ok = false
		}
	}
	return ok
}

// checkMountPath requires an absolute, clean path inside the container,
// not its root.
func checkMountPath(path, v string, ps *Problems) {
	if absClean(path, v, ps) && v == "/" {
		ps.add(path, "is \"/\": cannot mount over the container's root")
	}
}

func absClean(path, v string, ps *Problems) bool {
	switch {
	case !strings.HasPrefix(v, "/"):
		ps.add(path, "%q is not an absolute path", v)
	case filepath.Clean(v) != v:
		ps.add(path, "%q is not clean (no '..', '.', '//' or trailing '/'); write %s", v, filepath.Clean(v))
	default:
		return true
	}
	return false
}
