package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/storage"
)

// The cluster, as pmxcfs shows it (pct-spec.md §2.1): every node's guests
// live in etc/pve/nodes/<node>/{lxc,qemu-server}; etc/pve/lxc is this
// node's folder (a symlink the emulator makes when the test laid none);
// etc/pve/.vmlist says which node holds each guest, and pmxcfs keeps it in
// step with the folders, as the emulator does after create, clone and
// destroy; etc/pve/.members names this node (nodename) and the cluster's
// nodes, and is laid by the test.

// linkNodeFolder makes etc/pve/lxc point at nodes/<node>/lxc when the
// test laid neither.
func (e *env) linkNodeFolder() error {
	if _, err := os.Lstat(e.path("etc/pve/lxc")); err == nil {
		return nil
	}
	if err := os.MkdirAll(e.path("etc/pve/nodes/"+e.node+"/lxc"), 0o755); err != nil {
		return err
	}
	err := os.Symlink("nodes/"+e.node+"/lxc", e.path("etc/pve/lxc"))
	if errors.Is(err, fs.ErrExist) {
		return nil // a pct running beside this one made it first
	}
	return err
}

type vmEntry struct {
	Node    string `json:"node"`
	Type    string `json:"type"`
	Version int    `json:"version"`
}

// writeVMList regenerates .vmlist from the nodes' folders; this node's
// guests are those of etc/pve/lxc, wherever it points. One pct at a time
// (a blocking flock), so that a scan made before another's change is
// never written after it: pmxcfs's list is always current.
func (e *env) writeVMList() error {
	f, err := os.OpenFile(e.path("run/lock/lxc/pctemu-vmlist.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	ids := map[string]vmEntry{}
	nodes, _ := os.ReadDir(e.path("etc/pve/nodes"))
	for _, n := range nodes {
		for _, typ := range []string{"lxc", "qemu-server"} {
			files, _ := filepath.Glob(e.path(filepath.Join("etc/pve/nodes", n.Name(), typ, "*.conf")))
			for _, f := range files {
				ids[strings.TrimSuffix(filepath.Base(f), ".conf")] = vmEntry{Node: n.Name(), Type: map[string]string{"lxc": "lxc", "qemu-server": "qemu"}[typ], Version: 1}
			}
		}
	}
	local, _ := filepath.Glob(e.path("etc/pve/lxc/*.conf"))
	for _, f := range local {
		ids[strings.TrimSuffix(filepath.Base(f), ".conf")] = vmEntry{Node: e.node, Type: "lxc", Version: 1}
	}
	data, err := json.MarshalIndent(map[string]any{"version": len(ids) + 1, "ids": ids}, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(e.path("etc/pve/.vmlist"), append(data, '\n'), 0o640)
}

// checkVMIDUnused is pve-cluster Cluster.pm check_vmid_unused, which pct
// create and clone call for the new CTID: it reads .vmlist.
func (e *env) checkVMIDUnused(id string) error {
	data, err := os.ReadFile(e.path("etc/pve/.vmlist"))
	if err != nil {
		return nil
	}
	var list struct {
		IDs map[string]vmEntry `json:"ids"`
	}
	if json.Unmarshal(data, &list) != nil {
		return nil
	}
	if g, ok := list.IDs[id]; ok {
		what := "CT"
		if g.Type == "qemu" {
			what = "VM"
		}
		return fmt.Errorf("%s %s already exists on node '%s'", what, id, g.Node)
	}
	return nil
}

// checkRootdirStorage is create_vm's check_and_activate_storage (pve-container
// src/PVE/API2/LXC.pm) for the storage of a new volume, with pve-storage's
// storage_config ("does not exist"), storage_check_node ("is not available
// on node") and the disable flag. Without storage.cfg nothing is known.
func (e *env) checkRootdirStorage(id string) error {
	data, err := os.ReadFile(e.path("etc/pve/storage.cfg"))
	if err != nil {
		return nil
	}
	// pve-storage adds local (dir, every content type) when the file
	// defines none: appended last, it is found only then.
	all := append(storage.Parse(string(data)), storage.Storage{Type: "dir", ID: "local", Props: map[string]string{"path": "/var/lib/vz"}})
	for _, s := range all {
		if s.ID != id {
			continue
		}
		if nodes, ok := s.Props["nodes"]; ok && !contains(strings.Split(nodes, ","), e.node) {
			return fmt.Errorf("storage '%s' is not available on node '%s'", id, e.node)
		}
		if _, off := s.Props["disable"]; off {
			return fmt.Errorf("storage '%s' is disabled", id)
		}
		if c, ok := s.Props["content"]; ok && !contains(strings.Split(c, ","), "rootdir") {
			return paramErr("storage", "storage '%s' does not support container directories", id)
		}
		return nil
	}
	return fmt.Errorf("storage '%s' does not exist", id)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.TrimSpace(x) == s {
			return true
		}
	}
	return false
}
