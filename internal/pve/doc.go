// Package pve is the Backend the pipeline uses on a Proxmox VE node. It
// plans with the typed values of internal/pve/conf and runs pct through
// the client in internal/pve/pct.
//
// Reads cost no pct call: Proxmox keeps the truth in files. Observe reads
// /proc/net/unix for the running state (as pct does), each container's
// /etc/pve/lxc/<CTID>.conf, the generated /var/lib/lxc/<CTID>/config, the
// cluster's .vmlist and .members and, for a running container,
// /proc/<pid>/{uid,gid}_map directly. All these paths are read under the
// Proxmox root New is given (the module takes it from PHOENIX_LXC_PVE_ROOT,
// default /), so tests point the package at the pct emulator's state folder.
package pve
