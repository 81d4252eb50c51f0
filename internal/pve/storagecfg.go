package pve

import (
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

// ParseStorageCfg reads storage.cfg. Lines it cannot read are skipped, as
// pve-storage warns and goes on.
func ParseStorageCfg(data string) []Storage {
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

// StorageCfg is /etc/pve/storage.cfg under the Proxmox root.
func (p Paths) StorageCfg() string { return p.join("etc/pve/storage.cfg") }
