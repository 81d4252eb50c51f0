package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
)

// cmdPush copies a host file into a running CT's rootfs (nomap: worker
// errors exit 0). Files belong to container root unless --user/--group.
func cmdPush(e *env, p *params) error {
	id, src, dest := p.pos["vmid"], p.pos["file"], p.pos["destination"]
	unlock, err := e.lock(id)
	if err != nil {
		return err
	}
	if !e.exists(id) {
		unlock()
		return e.notExist(id)
	}
	if !e.running(id) {
		unlock()
		return fmt.Errorf("can only push files to a running CT")
	}
	unlock()
	data, err := os.ReadFile(src)
	if err != nil {
		return workerErr("failed to open %s for reading", src)
	}
	root := e.rootfs(id)
	target := ctPath(root, dest)
	if dir, bad := symlinkAbove(root, filepath.Dir(target)); bad {
		return workerErr("failed to create file: %s: symlink encountered at: %s", dest, strings.TrimPrefix(dir, root))
	}
	if st, err := os.Stat(filepath.Dir(target)); err != nil || !st.IsDir() {
		return workerErr("failed to create file: %s: No such file or directory", dest)
	}
	if st, err := os.Lstat(target); err == nil && st.Mode()&os.ModeSymlink != 0 {
		return workerErr("failed to create file: %s: symlink encountered at: %s", dest, dest)
	}
	mode := os.FileMode(0o644)
	if p.has("perms") {
		m, err := parseMode(p.get("perms"))
		if err != nil {
			return workerErr("invalid mode: '%s'", p.get("perms"))
		}
		mode = m
	}
	uid, gid := int64(0), int64(0)
	if p.has("user") {
		if uid, err = lookupID(root, "etc/passwd", p.get("user")); err != nil {
			return workerErr("failed to get uid for: %s", p.get("user"))
		}
	}
	if p.has("group") {
		if gid, err = lookupID(root, "etc/group", p.get("group")); err != nil {
			return workerErr("failed to get gid for: %s", p.get("group"))
		}
	}
	if err := os.WriteFile(target, data, mode); err != nil {
		return workerErr("failed to create file: %s: %v", dest, unwrapPathErr(err))
	}
	os.Chmod(target, mode)
	hu, hg := e.hostIDs(id, uid, gid)
	os.Lchown(target, int(hu), int(hg))
	return nil
}

// hostIDs maps container ids to host ids through the CT's generated map.
func (e *env) hostIDs(id string, uid, gid int64) (int64, int64) {
	u, g, err := e.procMaps(id)
	if err != nil {
		return uid, gid
	}
	us, _ := idmap.ParseProc(idmap.UID, u)
	gs, _ := idmap.ParseProc(idmap.GID, g)
	hu, ok1 := us.ToHost(idmap.UID, uid)
	hg, ok2 := gs.ToHost(idmap.GID, gid)
	if !ok1 || !ok2 {
		return 65534, 65534
	}
	return hu, hg
}

// symlinkAbove reports the first symlink among dir and its parents below root.
func symlinkAbove(root, dir string) (string, bool) {
	for d := dir; len(d) > len(root); d = filepath.Dir(d) {
		if st, err := os.Lstat(d); err == nil && st.Mode()&os.ModeSymlink != 0 {
			return d, true
		}
	}
	return "", false
}

// parseMode reads --perms: octal (a leading 0 optional) or 0x hex.
func parseMode(s string) (os.FileMode, error) {
	var n uint64
	var err error
	if strings.HasPrefix(s, "0x") {
		n, err = strconv.ParseUint(s[2:], 16, 32)
	} else {
		n, err = strconv.ParseUint(s, 8, 32)
	}
	if err != nil || n > 0o7777 {
		return 0, fmt.Errorf("invalid mode")
	}
	return os.FileMode(n), nil
}

// lookupID resolves a number or a name in the CT's passwd/group file.
func lookupID(root, file, name string) (int64, error) {
	if n, err := strconv.ParseInt(name, 10, 64); err == nil {
		return n, nil
	}
	data, _ := os.ReadFile(filepath.Join(root, file))
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Split(l, ":")
		if len(f) > 2 && f[0] == name {
			return strconv.ParseInt(f[2], 10, 64)
		}
	}
	return 0, fmt.Errorf("no such name")
}

// cmdPull copies a file out of a running CT (nomap).
func cmdPull(e *env, p *params) error {
	id, src, dest := p.pos["vmid"], p.pos["path"], p.pos["destination"]
	if !e.exists(id) {
		return e.notExist(id)
	}
	if !e.running(id) {
		return fmt.Errorf("can only pull files from a running VM at /usr/share/perl5/PVE/CLI/pct.pm line 647.")
	}
	out, err := os.Create(dest)
	if err != nil {
		return workerErr("failed to open %s for writing: %v", dest, unwrapPathErr(err))
	}
	defer out.Close()
	data, err := os.ReadFile(ctPath(e.rootfs(id), src))
	if err != nil {
		return workerErr("failed to open %s: %v", src, unwrapPathErr(err))
	}
	if _, err := out.Write(data); err != nil {
		return workerErr("failed to write %s: %v", dest, err)
	}
	return nil
}

// cmdUnlock removes any lock.
func cmdUnlock(e *env, p *params) error {
	return e.editLock(p.pos["vmid"], func(l string, ok bool) (string, error) {
		if !ok {
			return "", fmt.Errorf("no lock found trying to remove any lock")
		}
		return "", nil
	})
}

// cmdMount sets lock: mounted and reports where the rootfs is.
func cmdMount(e *env, p *params) error {
	id := p.pos["vmid"]
	err := e.editLock(id, func(l string, ok bool) (string, error) {
		if ok {
			return "", fmt.Errorf("CT is locked (%s)", l)
		}
		return "mounted", nil
	})
	if err == nil {
		fmt.Fprintf(e.stdout, "mounted CT %s in '/var/lib/lxc/%s/rootfs'\n", id, id)
	}
	return err
}

// cmdUnmount removes the mounted lock.
func cmdUnmount(e *env, p *params) error {
	return e.editLock(p.pos["vmid"], func(l string, ok bool) (string, error) {
		switch {
		case !ok:
			return "", fmt.Errorf("no lock found trying to remove 'mounted'  lock")
		case l != "mounted":
			return "", fmt.Errorf("found lock '%s' trying to remove 'mounted' lock", l)
		}
		return "", nil
	})
}

// editLock changes the lock: value under the flock.
func (e *env) editLock(id string, f func(cur string, set bool) (string, error)) error {
	unlock, c, err := e.lockLoad(id)
	if err != nil {
		return err
	}
	defer unlock()
	cur, ok := c.Main.Get("lock")
	next, err := f(cur, ok)
	if err != nil {
		return err
	}
	if next == "" {
		c.Main.Delete("lock")
	} else {
		c.Main.Set("lock", next)
	}
	return e.save(id, c)
}
