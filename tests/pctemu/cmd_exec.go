package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
)

// ctPath maps a path inside the CT to the host path in its rootfs,
// resolving symlinks as the container sees them: an absolute target starts
// again at the CT's /, ".." stops there, so nothing leads out of the
// rootfs. The last component is resolved too; ctLpath leaves it as is (for
// what does not follow it: lstat, rm, mkdir, O_EXCL).
func ctPath(rootfs, p string) (string, error) { return ctResolve(rootfs, p, true) }

func ctLpath(rootfs, p string) (string, error) { return ctResolve(rootfs, p, false) }

func ctResolve(rootfs, p string, last bool) (string, error) {
	done, todo := "/", strings.Split(p, "/")
	for links := 0; len(todo) > 0; {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			done = path.Dir(done)
			continue
		}
		next := path.Join(done, c)
		target, err := os.Readlink(filepath.Join(rootfs, next))
		if err != nil || (len(todo) == 0 && !last) {
			done = next
			continue
		}
		if links++; links > 40 {
			return "", &os.PathError{Op: "resolve", Path: p, Err: syscall.ELOOP}
		}
		if strings.HasPrefix(target, "/") {
			done = "/"
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	return filepath.Join(rootfs, done), nil
}

// cmdExec is `pct exec <vmid> -- cmd args`: runs a file that exists in the
// rootfs on the host (cwd = rootfs, PCTEMU_CT_ROOT set), or a built-in.
func cmdExec(e *env, p *params) error {
	id := p.pos["vmid"]
	if !e.exists(id) {
		return e.notExist(id)
	}
	if !e.running(id) {
		return fmt.Errorf("container '%s' not running!", id)
	}
	argv := p.rest
	if len(argv) == 0 {
		return fmt.Errorf("missing command")
	}
	root := e.rootfs(id)
	if file := lookPath(root, argv[0]); file != "" {
		return e.runHost(root, append([]string{file}, argv[1:]...))
	}
	return e.builtin(id, root, argv)
}

// ctPATH is the PATH lxc-attach gives a command when the container's
// environment sets none.
var ctPATH = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}

// lookPath finds cmd in the rootfs as lxc-attach's execvp would: an
// absolute path as is, a bare name in ctPATH. It returns the host path of
// a regular file, or "".
func lookPath(root, cmd string) string {
	cands := []string{cmd}
	if !strings.HasPrefix(cmd, "/") {
		if strings.Contains(cmd, "/") {
			return ""
		}
		cands = nil
		for _, d := range ctPATH {
			cands = append(cands, d+"/"+cmd)
		}
	}
	for _, c := range cands {
		if h, err := ctPath(root, c); err == nil {
			if st, err := os.Stat(h); err == nil && st.Mode().IsRegular() {
				return h
			}
		}
	}
	return ""
}

// runHost runs a command on the host with the rootfs as cwd; the exit
// status becomes pct's.
func (e *env) runHost(root string, argv []string) error {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "PCTEMU_CT_ROOT="+root)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.stdin, e.stdout, e.stderr
	err := cmd.Run()
	var xe *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &xe):
		return &exitError{xe.ExitCode()}
	}
	fmt.Fprintf(e.stderr, "lxc-attach: failed to exec '%s': %v\n", argv[0], err)
	return &exitError{127}
}

// builtin runs the few commands the emulator implements itself.
func (e *env) builtin(id, root string, argv []string) error {
	fail := func(format string, a ...any) error {
		fmt.Fprintf(e.stderr, format+"\n", a...)
		return &exitError{1}
	}
	flags, args := map[string]bool{}, []string{}
	for _, a := range argv[1:] {
		if strings.HasPrefix(a, "-") && len(a) > 1 && len(args) == 0 {
			for _, c := range a[1:] {
				flags[string(c)] = true
			}
		} else {
			args = append(args, a)
		}
	}
	switch path.Base(argv[0]) {
	case "true":
		return nil
	case "false":
		return &exitError{1}
	case "mkdir":
		uid, gid := e.hostIDs(id, 0, 0)
		for _, a := range args {
			err := e.mkdir(root, a, flags["p"], int(uid), int(gid))
			if err != nil {
				return fail("mkdir: cannot create directory '%s': %v", a, unwrapPathErr(err))
			}
		}
		return nil
	case "mktemp":
		tmpl := "/tmp/tmp.XXXXXXXXXX"
		if len(args) > 0 {
			tmpl = args[0] // a relative one is taken from / (the emulator runs everything there)
		}
		uid, gid := e.hostIDs(id, 0, 0)
		made, err := mktemp(root, tmpl, flags["d"], int(uid), int(gid))
		if err != nil {
			return fail("mktemp: %v", err)
		}
		fmt.Fprintln(e.stdout, made)
		return nil
	case "stat":
		if !flags["c"] || len(args) < 2 {
			return fail("pctemu: only 'stat -c FORMAT FILE...' is supported")
		}
		code := 0
		for _, a := range args[1:] {
			line, err := e.statLine(id, root, args[0], a)
			if err != nil {
				fmt.Fprintf(e.stderr, "stat: cannot statx '%s': %v\n", a, unwrapPathErr(err))
				code = 1
				continue
			}
			fmt.Fprintln(e.stdout, line)
		}
		if code != 0 {
			return &exitError{code}
		}
		return nil
	case "rm":
		for _, a := range args {
			h, err := ctLpath(root, a)
			if err == nil {
				if flags["r"] {
					err = os.RemoveAll(h)
				} else {
					err = os.Remove(h)
				}
			}
			if err != nil && !(flags["f"] && os.IsNotExist(err)) {
				return fail("rm: cannot remove '%s': %v", a, unwrapPathErr(err))
			}
		}
		return nil
	case "cat":
		for _, a := range args {
			h, err := ctPath(root, a)
			var b []byte
			if err == nil {
				b, err = os.ReadFile(h)
			}
			if err != nil {
				return fail("cat: %s: %v", a, unwrapPathErr(err))
			}
			e.stdout.Write(b)
		}
		return nil
	case "test", "[":
		if len(args) < 1 {
			return &exitError{1}
		}
		h, err := ctPath(root, args[len(args)-1])
		var st os.FileInfo
		if err == nil {
			st, err = os.Stat(h)
		}
		ok := err == nil && (!flags["d"] || st.IsDir()) && (!flags["f"] || st.Mode().IsRegular())
		if !ok {
			return &exitError{1}
		}
		return nil
	case "chpasswd":
		return e.chpasswd(root, flags["e"])
	case "sh", "bash":
		if !flags["c"] || len(args) == 0 {
			return fail("pctemu: only '%s -c SCRIPT' is supported", argv[0])
		}
		return e.runHost(root, append([]string{"/bin/sh", "-c"}, args...))
	}
	fmt.Fprintf(e.stderr, "lxc-attach: %s: Failed to exec \"%s\": No such file or directory\n", id, argv[0])
	return &exitError{127}
}

// setShadow stores a salted SHA-256 of the password (never the clear
// text) for user in the rootfs's etc/shadow.
func setShadow(root, user, pass string) error {
	salt := make([]byte, 8)
	rand.Read(salt)
	sum := sha256.Sum256(append(salt, pass...))
	line := fmt.Sprintf("%s:$pctemu-sha256$%s$%s:19000:0:99999:7:::", user, hex.EncodeToString(salt), hex.EncodeToString(sum[:]))
	etc, err := ctPath(root, "/etc")
	if err != nil {
		return err
	}
	file := filepath.Join(etc, "shadow")
	old, _ := os.ReadFile(file)
	var out []string
	for _, l := range strings.Split(strings.TrimRight(string(old), "\n"), "\n") {
		if l != "" && !strings.HasPrefix(l, user+":") {
			out = append(out, l)
		}
	}
	out = append(out, line)
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	return writeAtomic(file, []byte(strings.Join(out, "\n")+"\n"), 0o640)
}

// mkdir creates the folder a (with parents, its missing parents too) as
// the CT's root (uid, gid on the host), mode 0755 as under umask 022.
// Without parents anything at a, a symlink too, is an error; with them an
// existing folder, or a symlink to one, is fine.
func (e *env) mkdir(root, a string, parents bool, uid, gid int) error {
	a = path.Join("/", a)
	if parents {
		if h, err := ctPath(root, a); err == nil {
			if st, err := os.Stat(h); err == nil && st.IsDir() {
				return nil
			}
		}
		if err := e.mkdir(root, path.Dir(a), true, uid, gid); err != nil {
			return err
		}
	}
	h, err := ctLpath(root, a)
	if err != nil {
		return err
	}
	if err := os.Mkdir(h, 0o755); err != nil {
		return err
	}
	return os.Lchown(h, uid, gid)
}

// mktemp creates a folder (dir) or an empty file from tmpl, its trailing
// X's replaced by random letters and digits, mode 0700 or 0600, as the
// CT's root; like coreutils it never follows a symlink at the new name
// (mkdir, O_EXCL) and tries other names when one exists.
func mktemp(root, tmpl string, dir bool, uid, gid int) (string, error) {
	base := strings.TrimRight(tmpl, "X")
	n := len(tmpl) - len(base)
	if n < 3 {
		return "", fmt.Errorf("too few X's in template '%s'", tmpl)
	}
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	for try := 0; try < 100; try++ {
		b := make([]byte, n)
		rand.Read(b)
		for i := range b {
			b[i] = chars[int(b[i])%len(chars)]
		}
		name := base + string(b)
		h, err := ctLpath(root, name)
		if err != nil {
			return "", err
		}
		if dir {
			err = os.Mkdir(h, 0o700)
		} else {
			var f *os.File
			if f, err = os.OpenFile(h, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
				f.Close()
			}
		}
		if os.IsExist(err) {
			continue
		}
		if err != nil {
			kind := "file"
			if dir {
				kind = "directory"
			}
			return "", fmt.Errorf("failed to create %s via template '%s': %v", kind, tmpl, unwrapPathErr(err))
		}
		return name, os.Lchown(h, uid, gid)
	}
	return "", fmt.Errorf("failed to create file via template '%s': File exists", tmpl)
}

// statLine is stat -c format for a, not following a symlink at a: %u %g
// (ids as the CT sees them, through its map), %a (octal mode), %F (type),
// %n (the name), %% as coreutils prints them.
//
// A path under a bind mount point (mpN) is the host folder's: a running
// CT has its mount points mounted. Through an idmapped one (idmap=) an id
// on disk shows as the container id its entry maps it from; other ids go
// through the CT's map, as pve-container's idmapped mounts fall back.
func (e *env) statLine(id, root, format, a string) (string, error) {
	h, mountIdmap, err := e.mountedPath(id, root, a)
	if err != nil {
		return "", err
	}
	fi, err := os.Lstat(h)
	if err != nil {
		return "", err
	}
	sys := fi.Sys().(*syscall.Stat_t)
	uid, gid := e.ctIDs(id, int64(sys.Uid), int64(sys.Gid))
	if u, ok := fromDisk(mountIdmap, 'u', int64(sys.Uid)); ok {
		uid = u
	}
	if g, ok := fromDisk(mountIdmap, 'g', int64(sys.Gid)); ok {
		gid = g
	}
	m := fi.Mode()
	perm := uint32(m.Perm())
	for bit, v := range map[os.FileMode]uint32{os.ModeSetuid: 0o4000, os.ModeSetgid: 0o2000, os.ModeSticky: 0o1000} {
		if m&bit != 0 {
			perm |= v
		}
	}
	kind := map[os.FileMode]string{os.ModeDir: "directory", os.ModeSymlink: "symbolic link", os.ModeNamedPipe: "fifo",
		os.ModeSocket: "socket", os.ModeDevice: "block special file", os.ModeDevice | os.ModeCharDevice: "character special file"}[m.Type()]
	if m.IsRegular() {
		kind = "regular file"
		if fi.Size() == 0 {
			kind = "regular empty file"
		}
	}
	r := strings.NewReplacer("%u", fmt.Sprint(uid), "%g", fmt.Sprint(gid), "%a", fmt.Sprintf("%o", perm), "%F", kind, "%n", a, "%%", "%")
	return r.Replace(format), nil
}

// mountedPath is where path a of the CT is on the host: in the host folder
// of the deepest bind mount point holding it, else in the rootfs. It also
// gives that mount point's idmap ("" for none).
func (e *env) mountedPath(id, root, a string) (string, string, error) {
	c, err := e.load(id)
	if err != nil {
		return "", "", err
	}
	clean := path.Clean("/" + a)
	best, host, idm := "", "", ""
	for _, en := range c.Main.Entries {
		if !strings.HasPrefix(en.Key, "mp") {
			continue
		}
		m, err := conf.ParseMountPoint(en.Value)
		if err != nil || m.Type() != "bind" {
			continue
		}
		mp := path.Clean("/" + m.MP)
		if (clean == mp || strings.HasPrefix(clean, mp+"/")) && len(mp) > len(best) {
			best, host, idm = mp, filepath.Join(m.Volume, strings.TrimPrefix(clean, mp)), m.IDMap
		}
	}
	if best != "" {
		return host, idm, nil
	}
	h, err := ctLpath(root, a)
	return h, "", err
}

// fromDisk maps an on-disk id to the container id an idmapped mount's
// entries ("u:1000:1000:1;g:...") give it; ok false when none covers it.
func fromDisk(idm string, kind byte, disk int64) (int64, bool) {
	if idm == "passthrough" {
		return disk, true
	}
	for _, ent := range strings.Split(idm, ";") {
		f := strings.Split(ent, ":")
		if len(f) != 4 || f[0][0] != kind {
			continue
		}
		ct, _ := strconv.ParseInt(f[1], 10, 64)
		d, _ := strconv.ParseInt(f[2], 10, 64)
		n, _ := strconv.ParseInt(f[3], 10, 64)
		if disk >= d && disk < d+n {
			return ct + disk - d, true
		}
	}
	return 0, false
}
