package pve

// StorageCfg is /etc/pve/storage.cfg under the Proxmox root.
func (p Paths) StorageCfg() string { return p.join("etc/pve/storage.cfg") }
