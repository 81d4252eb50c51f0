package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/storage"
)

// cmdClone is `pct clone <vmid> <newid>`: copies the source (or one of its
// snapshots) with new MACs and volumes; refuses bind and device mounts.
func cmdClone(e *env, p *params) error {
	id, newid := p.pos["vmid"], p.pos["newid"]
	if p.has("hostname") {
		if _, err := checkValue("hostname", p.get("hostname")); err != nil {
			return err
		}
	}
	unlock, src, err := e.lockLoad(id)
	if err != nil {
		return err
	}
	unlock = sync.OnceFunc(unlock) // holdSource may release it early
	defer unlock()
	if l, ok := src.Main.Get("lock"); ok {
		return fmt.Errorf("CT is locked (%s)", l)
	}
	if e.exists(newid) {
		return fmt.Errorf("CT %s already exists on node '%s'", newid, e.node)
	}
	if err := e.checkVMIDUnused(newid); err != nil {
		return err
	}
	from := &src.Main
	if p.has("snapname") {
		if from = src.Snapshot(p.get("snapname")); from == nil {
			return fmt.Errorf("snapshot '%s' does not exist", p.get("snapname"))
		}
	}
	isTemplate := getOr(&src.Main, "template", "0") == "1"
	full := !isTemplate
	if p.has("full") {
		full = p.flag("full")
	}
	if !full && p.has("storage") {
		return fmt.Errorf("parameter 'storage' not allowed for linked clones")
	}
	if full && e.running(id) && !p.has("snapname") {
		return fmt.Errorf("Full clone of a running container is only possible from a snapshot")
	}
	cfgData, _ := os.ReadFile(e.path("etc/pve/storage.cfg"))
	types := storage.Types(string(cfgData))
	for _, en := range sortedEntries(from) {
		if strings.HasPrefix(en.Key, "mp") && indexedKey.MatchString(en.Key) {
			if t := mpType(en.Value); t != "volume" {
				return fmt.Errorf("unable to clone mountpoint '%s' (type %s)", en.Key, t)
			}
		}
		if en.Key == "rootfs" || strings.HasPrefix(en.Key, "mp") && indexedKey.MatchString(en.Key) {
			// API2/LXC.pm clone_vm, per volume: volume_has_feature 'clone'.
			vol, _ := mpVolume(en.Value)
			if store, _, _ := strings.Cut(vol, ":"); !full && !storage.CanLinkClone(types[store]) {
				return fmt.Errorf("Linked clone feature for '%s' is not available", vol)
			}
		}
	}
	fmt.Fprintf(e.stdout, "creating a clone of container %s with ID %s\n", id, newid)
	dst := &conf.Config{}
	dst.Main.Description = from.Description
	for _, en := range from.Entries {
		switch {
		case strings.HasPrefix(en.Key, "unused"), en.Key == "parent", en.Key == "snaptime",
			en.Key == "snapstate", en.Key == "template", en.Key == "lock":
		case strings.HasPrefix(en.Key, "net") && indexedKey.MatchString(en.Key):
			dst.Main.Set(en.Key, newMAC(en.Value))
		default:
			dst.Main.Set(en.Key, en.Value)
		}
	}
	dst.Main.Raw = append([]conf.Entry(nil), from.Raw...)
	vols := sortedEntries(&dst.Main)
	sort.SliceStable(vols, func(i, j int) bool { return vols[i].Key == "rootfs" && vols[j].Key != "rootfs" })
	for _, en := range vols {
		if en.Key != "rootfs" && !(strings.HasPrefix(en.Key, "mp") && indexedKey.MatchString(en.Key)) {
			continue
		}
		vol, _ := mpVolume(en.Value)
		storage, _, _ := strings.Cut(vol, ":")
		if full && p.has("storage") {
			storage = p.get("storage")
		}
		kind := "linked clone of mount point"
		if full {
			kind = "full clone of mountpoint"
		}
		fmt.Fprintf(e.stdout, "create %s %s (%s)\n", kind, en.Key, vol)
		dst.Main.Delete(en.Key)
		dst.Main.Set(en.Key, withVolume(en.Key, en.Value, e.nextDisk(dst, newid, storage)))
	}
	if p.has("hostname") {
		dst.Main.Set("hostname", p.get("hostname"))
	}
	if p.has("description") {
		dst.Main.Description = p.get("description")
	}
	if err := e.holdSource(id, unlock); err != nil {
		return err
	}
	if err := copyTree(e.rootfs(id), e.rootfs(newid)); err != nil {
		return workerErr("clone failed: %v", err)
	}
	if err := e.save(newid, dst); err != nil {
		return workerErr("clone failed: %v", err)
	}
	if err := e.writeVMList(); err != nil {
		return workerErr("clone failed: %v", err)
	}
	return nil
}

// holdSource models the copy's duration (the clone delay). Proxmox locks
// the source for the whole copy (API2/LXC.pm clone_vm:
// set_lock($vmid, 'disk')), so meanwhile the source's conf says lock: disk
// and other commands on it fail with "CT is locked (disk)"; the flock is
// released during the copy, as there. Without a delay the copy is instant.
func (e *env) holdSource(id string, unlock func()) error {
	if e.delay <= 0 {
		return nil
	}
	c, err := e.load(id)
	if err != nil {
		return err
	}
	c.Main.Set("lock", "disk")
	if err := e.save(id, c); err != nil {
		return err
	}
	unlock()
	time.Sleep(e.delay)
	relock, c, err := e.lockLoad(id)
	if err != nil {
		return err
	}
	defer relock()
	c.Main.Delete("lock")
	return e.save(id, c)
}

// sortedEntries returns a section's entries sorted by key.
func sortedEntries(s *conf.Section) []conf.Entry {
	m := map[string]string{}
	for _, en := range s.Entries {
		m[en.Key] = en.Value
	}
	var out []conf.Entry
	for _, k := range sortedKeys(m) {
		out = append(out, conf.Entry{Key: k, Value: m[k]})
	}
	return out
}

// copyTree copies a folder (files, folders, symlinks), keeping modes
// (setuid, setgid and sticky bits too) and owners.
func copyTree(src, dst string) error {
	if _, err := os.Lstat(src); os.IsNotExist(err) {
		return os.MkdirAll(dst, 0o755)
	}
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		to := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			err = os.MkdirAll(to, 0o700)
			if err == nil {
				err = os.Chmod(to, info.Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky))
			}
		case d.Type()&fs.ModeSymlink != 0:
			var target string
			if target, err = os.Readlink(path); err == nil {
				err = os.Symlink(target, to)
			}
		case d.Type().IsRegular():
			err = copyFile(path, to, info.Mode().Perm())
			if err == nil {
				err = os.Chmod(to, info.Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky))
			}
		default:
			return nil
		}
		if err != nil {
			return err
		}
		st := info.Sys().(*syscall.Stat_t)
		return os.Lchown(to, int(st.Uid), int(st.Gid))
	})
}

func copyFile(from, to string, mode fs.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
