// Package testkit is what the tests and the bench share to run the module
// against the pct emulator: building the emulator (and the module) once,
// and emulated Proxmox nodes with their pct call logs. Only tests and the
// bench import it.
package testkit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// RepoRoot is the module's source tree.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Build compiles the package at pkg (relative to the repository, "." for
// the module binary, "./tests/pctemu" for the emulator) to dir/name.
func Build(dir, name, pkg string) (string, error) {
	out := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = RepoRoot()
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return out, nil
}

// Template is the OS template every node has in its cache.
const Template = "local:vztmpl/debian-12.tar.zst"

// Node is one emulated Proxmox node: the emulator's root (PCTEMU_ROOT) and
// its pct call log (PCTEMU_LOG), where the emulator marks the calls that
// change state with "! ".
type Node struct {
	Root, Log string
}

// NewNode lays out a node under dir: Template in the cache, bridge vmbr0
// (MTU 1500) and an empty /dev. The emulator makes the rest (etc/pve/lxc
// is its link to this node's folder of the cluster).
func NewNode(dir string) (*Node, error) {
	n := &Node{Root: filepath.Join(dir, "root"), Log: filepath.Join(dir, "pct.log")}
	for _, d := range []string{"var/lib/vz/template/cache", "dev", "sys/class/net/vmbr0"} {
		if err := os.MkdirAll(filepath.Join(n.Root, d), 0o755); err != nil {
			return nil, err
		}
	}
	for p, data := range map[string]string{"var/lib/vz/template/cache/debian-12.tar.zst": "", "sys/class/net/vmbr0/mtu": "1500\n"} {
		if err := os.WriteFile(filepath.Join(n.Root, p), []byte(data), 0o644); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Env points the emulator at the node, and the module at the emulator
// (pct) and the node's files.
func (n *Node) Env(pct string) []string {
	return []string{"PCTEMU_ROOT=" + n.Root, "PCTEMU_LOG=" + n.Log, "PHOENIX_LXC_PCT=" + pct, "PHOENIX_LXC_PVE_ROOT=" + n.Root}
}

// Calls are the pct invocations logged since the last ResetLog, without
// the emulator's mark.
func (n *Node) Calls() []string {
	var out []string
	for _, l := range n.lines() {
		out = append(out, strings.TrimPrefix(l, "! "))
	}
	return out
}

// Mutations are the logged invocations the emulator marked as changing
// state.
func (n *Node) Mutations() []string {
	var out []string
	for _, l := range n.lines() {
		if c, ok := strings.CutPrefix(l, "! "); ok {
			out = append(out, c)
		}
	}
	return out
}

// ResetLog forgets the calls logged so far.
func (n *Node) ResetLog() { _ = os.Remove(n.Log) }

func (n *Node) lines() []string {
	data, err := os.ReadFile(n.Log)
	if err != nil || len(strings.TrimSpace(string(data))) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

// Conf is the conf file of container id, "" when there is none.
func (n *Node) Conf(id string) string {
	data, _ := os.ReadFile(filepath.Join(n.Root, "etc/pve/lxc", id+".conf"))
	return string(data)
}
