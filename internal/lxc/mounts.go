package lxc

import (
	"path"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
)

// mountEntry is the lxc.mount.entry value of a shared volume: an fstab
// line whose target is relative to the rootfs.
func mountEntry(hostPath, mountPath string, readOnly bool) string {
	opts := "bind,create=dir"
	if readOnly {
		opts += ",ro"
	}
	return hostPath + " " + cleanMountPath(mountPath) + " none " + opts + " 0 0"
}

// cleanMountPath is mountPath without its leading slash, as LXC wants it.
func cleanMountPath(p string) string {
	return strings.TrimPrefix(path.Clean("/"+p), "/")
}

// parseMountEntry reads a bind entry from an absolute host path;
// anything else (tmpfs, proc, the template's own entries) is not a
// shared volume.
func parseMountEntry(v string) (backend.Mount, bool) {
	f := strings.Fields(v)
	if len(f) < 4 || !strings.HasPrefix(f[0], "/") {
		return backend.Mount{}, false
	}
	opts := strings.Split(f[3], ",")
	if !contains(opts, "bind") || !contains(opts, "create=dir") {
		return backend.Mount{}, false
	}
	return backend.Mount{Key: "/" + f[1], HostPath: f[0], MountPath: f[1], ReadOnly: contains(opts, "ro")}, true
}

// parseMounts lists the shared-volume bind mounts of a config: entries in
// the form Mounts writes (bind,create=dir from an absolute host path).
func parseMounts(c *conf) []backend.Mount {
	var out []backend.Mount
	for _, v := range c.all("lxc.mount.entry") {
		if m, ok := parseMountEntry(v); ok {
			m.MountPath = "/" + m.MountPath
			out = append(out, m)
		}
	}
	return out
}
