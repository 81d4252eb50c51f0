package pve

import (
	"io/fs"
	"os"
	"path/filepath"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/pct"
)

// Planning reads the node itself (not a container) through one file
// system, b.Files, rooted at the Proxmox root: the bridges' MTUs, the
// device nodes, storage.cfg, the template cache, the cluster files,
// dpkg's status and the firewall files. New roots it at the real root;
// tests give planning an fstest.MapFS and touch no disk. Paths are still
// named by b.C (pct.Paths), the one place that knows them.

// root is the Proxmox root ("/" when unset).
func (b *Backend) root() string {
	if b.C.Root == "" {
		return "/"
	}
	return b.C.Root
}

// files is the node's file system.
func (b *Backend) files() fs.FS {
	if b.Files != nil {
		return b.Files
	}
	return os.DirFS(b.root())
}

// rel is abs (a path b.C names under the Proxmox root) as a name in
// b.files(); "" when it is not under the root.
func (b *Backend) rel(abs string) string {
	r, err := filepath.Rel(b.root(), abs)
	if err != nil || !fs.ValidPath(filepath.ToSlash(r)) {
		return ""
	}
	return filepath.ToSlash(r)
}

// readNode reads the node's file at abs.
func (b *Backend) readNode(abs string) ([]byte, error) {
	name := b.rel(abs)
	if name == "" {
		return nil, &fs.PathError{Op: "read", Path: abs, Err: fs.ErrNotExist}
	}
	return fs.ReadFile(b.files(), name)
}

// statNode stats the node's file at abs, following a symlink.
func (b *Backend) statNode(abs string) (fs.FileInfo, error) {
	name := b.rel(abs)
	if name == "" {
		return nil, &fs.PathError{Op: "stat", Path: abs, Err: fs.ErrNotExist}
	}
	return fs.Stat(b.files(), name)
}

// readNodeJSON decodes a pmxcfs status file of the node (pct.DecodeJSON).
func (b *Backend) readNodeJSON(abs string, v any) error {
	data, err := b.readNode(abs)
	return pct.DecodeJSON(abs, data, err, v)
}
