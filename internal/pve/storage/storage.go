// Package storage reads the node's /etc/pve/storage.cfg and knows what
// pve-storage decides from a storage's type: volume names, mount points,
// snapshot support. It is a leaf: the Proxmox backend and the pct emulator
// both use it.
package storage

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Storage is one section of /etc/pve/storage.cfg ("<type>: <id>" then
// indented "key value" lines; pve-storage PVE/Storage/Plugin.pm
// parse_config).
type Storage struct {
	Type, ID string
	Props    map[string]string
}

// Parse reads storage.cfg. Lines it cannot read are skipped, as
// pve-storage warns and goes on.
func Parse(data string) []Storage {
	var out []Storage
	for _, l := range strings.Split(data, "\n") {
		if strings.TrimSpace(l) == "" || strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		if l[0] != ' ' && l[0] != '\t' {
			typ, id, ok := strings.Cut(l, ":")
			if ok {
				out = append(out, Storage{Type: strings.TrimSpace(typ), ID: strings.TrimSpace(id), Props: map[string]string{}})
			}
			continue
		}
		if len(out) == 0 {
			continue
		}
		k, v, _ := strings.Cut(strings.TrimSpace(l), " ")
		out[len(out)-1].Props[k] = strings.TrimSpace(v)
	}
	return out
}

// Paths are where the storage's content lives on this host: the path of
// a dir, nfs, cifs, cephfs, glusterfs or btrfs storage (network storages
// default to /mnt/pve/<id>), and the default mountpoint /<pool> of a
// zfspool. Block storages (lvm, lvmthin, rbd, iscsi) have none.
func (s Storage) Paths() []string {
	var out []string
	if p := s.Props["path"]; filepath.IsAbs(p) {
		out = append(out, filepath.Clean(p))
	}
	switch s.Type {
	case "nfs", "cifs", "cephfs", "glusterfs":
		if _, ok := s.Props["path"]; !ok {
			out = append(out, "/mnt/pve/"+s.ID)
		}
	case "zfspool":
		if pool := s.Props["pool"]; pool != "" {
			out = append(out, "/"+strings.Trim(pool, "/"))
		}
	}
	return out
}

// MountPoint is where something must be mounted before the storage can
// be used, "" when nothing: a network storage's path (default
// /mnt/pve/<id>, where pvestatd mounts it), and a dir storage's
// is_mountpoint (pve-storage DirPlugin.pm parse_is_mountpoint: a boolean
// that is true means its path, anything else is the path itself).
func (s Storage) MountPoint() string {
	switch s.Type {
	case "nfs", "cifs", "cephfs", "glusterfs":
		if p := s.Props["path"]; p != "" {
			return filepath.Clean(p)
		}
		return "/mnt/pve/" + s.ID
	case "dir", "btrfs":
		mp, ok := s.Props["is_mountpoint"]
		if !ok {
			return ""
		}
		switch strings.ToLower(mp) {
		case "1", "on", "yes", "true":
			return filepath.Clean(s.Props["path"])
		case "0", "off", "no", "false":
			return ""
		}
		return filepath.Clean(mp)
	}
	return ""
}

// Types maps each storage of storage.cfg to its type. pve-storage
// adds `local` (dir) when the file defines none (PVE::Storage::config's
// default). Without a file at all (data empty) nothing is known: on a
// real node the file always exists, and the emulator's tests that give
// none keep the block-storage names (a known simplification).
func Types(data string) map[string]string {
	if strings.TrimSpace(data) == "" {
		return map[string]string{}
	}
	types := map[string]string{"local": "dir"}
	for _, s := range Parse(data) {
		types[s.ID] = s.Type
	}
	return types
}

// VolumeName is the volume pct allocates for disk n of a container on a
// storage of type typ (pve-storage get_next_vm_diskname, via alloc_disk;
// pct-spec.md §7.3): a ZFS dataset subvol-<id>-disk-<n>, a raw image
// <id>/vm-<id>-disk-<n>.raw on file storages, vm-<id>-disk-<n> on block
// storages. A storage storage.cfg does not name is taken as a block one.
func VolumeName(typ string, ctid, n int) string {
	switch typ {
	case "zfspool":
		return fmt.Sprintf("subvol-%d-disk-%d", ctid, n)
	case "dir", "nfs", "cifs", "cephfs", "glusterfs", "btrfs":
		return fmt.Sprintf("%d/vm-%d-disk-%d.raw", ctid, ctid, n)
	}
	return fmt.Sprintf("vm-%d-disk-%d", ctid, n)
}

// CanSnapshot reports whether a container volume on a storage of type typ
// can be snapshotted (pve-storage volume_has_feature 'snapshot' for the
// current volume; pct-spec.md §7.3): LVM-thin, ZFS, RBD and BTRFS can; a
// raw image on a file storage or thick LVM cannot. An unknown type (no
// storage.cfg) is left to pct.
func CanSnapshot(typ string) bool {
	switch typ {
	case "dir", "nfs", "cifs", "cephfs", "glusterfs", "lvm":
		return false
	}
	return true
}

// CanLinkClone reports whether a template's volume on a storage of type
// typ can be cloned linked (pve-storage volume_has_feature 'clone' of a
// base volume, with the raw and subvol target formats a container needs;
// pct-spec.md §7.3): LVM-thin, ZFS, RBD and BTRFS can; a file storage
// (its clone would be qcow2) and thick LVM cannot, and pct clone then fails
// "Linked clone feature for '<volid>' is not available". An unknown type
// (no storage.cfg) is left to pct.
func CanLinkClone(typ string) bool {
	switch typ {
	case "dir", "nfs", "cifs", "cephfs", "glusterfs", "lvm":
		return false
	}
	return true
}
