package main

import (
	"fmt"
	"os"
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
	var mode os.FileMode
	perms := p.has("perms")
	if perms {
		if mode, err = parseMode(p.get("perms")); err != nil {
			return workerErr("invalid mode: '%s'", p.get("perms"))
		}
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
	// create_file: a new file with O_EXCL (never through a symlink); when
	// something is there, open it again with O_TRUNC, through a symlink
	// (resolved inside the CT) and keeping its owner. A new file is the
	// CT root's, mode 0666 & ~umask 022 unless --perms.
	f, created, err := openPushTarget(root, dest)
	if err != nil {
		return workerErr("failed to create file: %s: %v", dest, unwrapPathErr(err))
	}
	defer f.Close()
	if perms {
		f.Chmod(mode)
	}
	if created || p.has("user") || p.has("group") {
		hu, hg := e.hostIDs(id, uid, gid)
		f.Chown(int(hu), int(hg))
	}
	if _, err := f.Write(data); err != nil {
		return workerErr("failed to write %s: %v", dest, err)
	}
	return nil
}

// openPushTarget opens dest in the rootfs for writing as pct's create_file
// does, and says whether it created the file.
func openPushTarget(root, dest string) (*os.File, bool, error) {
	h, err := ctLpath(root, dest)
	if err != nil {
		return nil, false, err
	}
	if f, err := os.OpenFile(h, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644); err == nil || !os.IsExist(err) {
		return f, err == nil, err
	}
	if h, err = ctPath(root, dest); err != nil {
		return nil, false, err
	}
	_, missing := os.Lstat(h) // a dangling symlink's target is created
	f, err := os.OpenFile(h, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	return f, err == nil && missing != nil, err
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

// ctIDs maps host ids to the ids the CT sees through its map; an id the
// map leaves out shows as the kernel's overflow id, 65534.
func (e *env) ctIDs(id string, hu, hg int64) (int64, int64) {
	u, g, err := e.procMaps(id)
	if err != nil {
		return hu, hg
	}
	us, _ := idmap.ParseProc(idmap.UID, u)
	gs, _ := idmap.ParseProc(idmap.GID, g)
	return fromHost(us, hu), fromHost(gs, hg)
}

func fromHost(s idmap.Set, h int64) int64 {
	for _, en := range s {
		if h >= en.HostID && h < en.HostID+en.Count {
			return en.ContainerID + h - en.HostID
		}
	}
	return 65534
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
	h, err := ctPath(root, "/"+file)
	if err != nil {
		return 0, err
	}
	data, _ := os.ReadFile(h)
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
	h, err := ctPath(e.rootfs(id), src)
	var data []byte
	if err == nil {
		data, err = os.ReadFile(h)
	}
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
