package pct

import (
	"path/filepath"
	"strconv"
)

// Environment variables that point the client at pct and at the Proxmox
// file tree.
const (
	EnvPct     = "PHOENIX_LXC_PCT"      // path of pct (default /usr/sbin/pct)
	EnvPveRoot = "PHOENIX_LXC_PVE_ROOT" // root of the Proxmox files (default /)
)

// DefaultPct is where Proxmox installs pct.
const DefaultPct = "/usr/sbin/pct"

// Paths names the Proxmox files the package reads and writes, under Root.
type Paths struct {
	Root string
}

// Join is a path under the Proxmox root.
func (p Paths) Join(parts ...string) string { return p.join(parts...) }

func (p Paths) join(parts ...string) string {
	return filepath.Join(append([]string{p.Root}, parts...)...)
}

func id(ctid int) string { return strconv.Itoa(ctid) }

// Conf is the container's Proxmox config, /etc/pve/lxc/<CTID>.conf.
func (p Paths) Conf(ctid int) string { return p.join("etc/pve/lxc", id(ctid)+".conf") }

// Firewall is the container's firewall file, /etc/pve/firewall/<CTID>.fw.
func (p Paths) Firewall(ctid int) string { return p.join("etc/pve/firewall", id(ctid)+".fw") }

// Generated is the LXC config pct generates at start and set,
// /var/lib/lxc/<CTID>/config.
func (p Paths) Generated(ctid int) string { return p.join("var/lib/lxc", id(ctid), "config") }

// Lock is pct's per-container flock file, /run/lock/lxc/pve-config-<CTID>.lock.
func (p Paths) Lock(ctid int) string {
	return p.join("run/lock/lxc", "pve-config-"+id(ctid)+".lock")
}

// CgroupProcs lists the processes of a running container's namespace
// cgroup; its first line is the container's init.
func (p Paths) CgroupProcs(ctid int) string {
	return p.join("sys/fs/cgroup/lxc", id(ctid), "ns/cgroup.procs")
}

// ProcMap is /proc/<pid>/uid_map or gid_map.
func (p Paths) ProcMap(pid int, file string) string {
	return p.join("proc", strconv.Itoa(pid), file)
}

// Dev is a device node under the root's /dev.
func (p Paths) Dev(name string) string { return p.join("dev", name) }

// NetUnix is the kernel's list of unix sockets, /proc/net/unix: a running
// container's monitor listens on @/var/lib/lxc/<CTID>/command.
func (p Paths) NetUnix() string { return p.join("proc/net/unix") }

// BridgeMTU is /sys/class/net/<bridge>/mtu: pve-common's read_bridge_mtu
// reads it when the container starts, and fails "bridge '<bridge>' does
// not exist" when it cannot.
func (p Paths) BridgeMTU(bridge string) string { return p.join("sys/class/net", bridge, "mtu") }

// DpkgStatus is dpkg's status file, where the installed pve-container
// version is read.
func (p Paths) DpkgStatus() string { return p.join("var/lib/dpkg/status") }

// StorageCfg is /etc/pve/storage.cfg under the Proxmox root.
func (p Paths) StorageCfg() string { return p.join("etc/pve/storage.cfg") }
