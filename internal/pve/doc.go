// Package pve drives a Proxmox VE node: a pct client (every call an argv,
// failures turned into typed errors, raw lxc.* conf edits under pct's own
// per-container lock) and the Backend the pipeline uses on Proxmox.
//
// Reads cost no pct call: Proxmox keeps the truth in files. Observe reads
// /proc/net/unix for the running state (as pct does), each container's
// /etc/pve/lxc/<CTID>.conf, the generated /var/lib/lxc/<CTID>/config, the
// cluster's .vmlist and .members and, for a running container,
// /proc/<pid>/{uid,gid}_map directly. All these paths are read under the
// Proxmox root New is given (the module takes it from PHOENIX_LXC_PVE_ROOT,
// default /), so tests point the package at the pct emulator's state folder.
package pve
