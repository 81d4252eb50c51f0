// Package pve drives a Proxmox VE node: a pct client (every call an argv,
// failures turned into typed errors, raw lxc.* conf edits under pct's own
// per-container lock) and the Backend the pipeline uses on Proxmox.
//
// Reads cost no pct call where Proxmox keeps the truth in files: Observe runs
// one `pct list` for all containers and reads each container's
// /etc/pve/lxc/<CTID>.conf, the generated /var/lib/lxc/<CTID>/config and, for
// a running container, /proc/<pid>/{uid,gid}_map directly. All these paths are
// read under the Proxmox root (PHOENIX_LXC_PVE_ROOT, default /), so tests
// point the package at the pct emulator's state folder.
package pve
