// Package pct is the client of Proxmox's pct: every call an argv through
// one runner.Runner, failures turned into typed errors (pct exits 0 on some
// failures, so stderr and the conf are checked), raw lxc.* conf edits under
// pct's own per-container lock, and the paths of the Proxmox files under a
// root (Paths), so that tests point it at the pct emulator's state folder.
package pct
