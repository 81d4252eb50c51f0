package main

import (
	"errors"
	"fmt"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// env is one pct invocation: where the state lives and where output goes.
type env struct {
	root     string // PCTEMU_ROOT
	node     string // PCTEMU_NODE
	stdout   io.Writer
	stderr   io.Writer
	stdin    io.Reader
	idmapBug string        // PCTEMU_IDMAP_BUG
	delay    time.Duration // this invocation's PCTEMU_DELAY_MS
}

// path maps an absolute Proxmox path into the state folder.
func (e *env) path(p string) string { return filepath.Join(e.root, p) }

func (e *env) confPath(id string) string { return e.path("etc/pve/lxc/" + id + ".conf") }

func (e *env) lxcDir(id string) string { return e.path("var/lib/lxc/" + id) }

func (e *env) rootfs(id string) string { return filepath.Join(e.lxcDir(id), "rootfs") }

func (e *env) pidFile(id string) string { return e.path("run/pctemu/" + id + ".pid") }

// setup creates the folders a Proxmox host always has.
func (e *env) setup() error {
	if err := e.linkNodeFolder(); err != nil {
		return fmt.Errorf("pctemu: cannot create state folder: %v", err)
	}
	for _, d := range []string{"etc/pve/firewall", "var/lib/lxc", "run/lock/lxc", "run/pctemu",
		"var/lib/vz/template/cache"} {
		if err := os.MkdirAll(e.path(d), 0o755); err != nil {
			return fmt.Errorf("pctemu: cannot create state folder: %v", err)
		}
	}
	if _, err := os.Stat(e.path("proc/net/unix")); err != nil {
		return e.writeNetUnix()
	}
	return nil
}

// notExist is load_config's message for a missing CT.
func (e *env) notExist(id string) error {
	return fmt.Errorf("Configuration file 'nodes/%s/lxc/%s.conf' does not exist", e.node, id)
}

func (e *env) exists(id string) bool {
	_, err := os.Stat(e.confPath(id))
	return err == nil
}

// running reports whether the CT has a fake init process.
func (e *env) running(id string) bool {
	_, err := os.Stat(e.pidFile(id))
	return err == nil
}

// initPid is the fake pid of a running CT's init.
func initPid(id string) int {
	n, _ := strconv.Atoi(id)
	return 100000 + n
}

// ids lists every CT with a config, sorted numerically.
func (e *env) ids() []string {
	ents, _ := os.ReadDir(e.path("etc/pve/lxc"))
	var out []string
	for _, d := range ents {
		if id, ok := strings.CutSuffix(d.Name(), ".conf"); ok && vmidRe.MatchString(id) {
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := strconv.Atoi(out[i])
		b, _ := strconv.Atoi(out[j])
		return a < b
	})
	return out
}

// writeAtomic writes data to a temp file next to path and renames it into
// place: a reader, or a killed pct, never sees half a file. No fsync: the
// emulator models a killed process, not a power cut, and its own cost must
// stay small beside its latency model (PCTEMU_DELAY_MS).
func writeAtomic(path string, data []byte, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// lockLoad takes the CT's flock and loads its conf; the caller releases the
// lock with unlock.
func (e *env) lockLoad(id string) (unlock func(), c *conf.Config, err error) {
	if unlock, err = e.lock(id); err != nil {
		return nil, nil, err
	}
	if c, err = e.load(id); err != nil {
		unlock()
		return nil, nil, err
	}
	return unlock, c, nil
}

// lock takes pct's per-CT flock, waiting up to 10 s (PCTEMU_LOCK_TIMEOUT
// seconds if set), and returns the release function.
func (e *env) lock(id string) (func(), error) {
	name := "/run/lock/lxc/pve-config-" + id + ".lock"
	f, err := os.OpenFile(e.path(name), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("can't lock file '%s' - %v", name, err)
	}
	timeout := 10 * time.Second
	if s := os.Getenv("PCTEMU_LOCK_TIMEOUT"); s != "" {
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			timeout = time.Duration(v * float64(time.Second))
		}
	}
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) || time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("can't lock file '%s' - got timeout", name)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// setRunning creates or removes the running-state files: the pid file,
// the cgroup's cgroup.procs and the proc id maps.
func (e *env) setRunning(id string, on bool) error {
	pid := initPid(id)
	procDir := e.path(fmt.Sprintf("proc/%d", pid))
	cg := e.path("sys/fs/cgroup/lxc/" + id)
	if !on {
		os.Remove(e.pidFile(id))
		os.RemoveAll(procDir)
		os.RemoveAll(cg)
		return e.writeNetUnix()
	}
	uid, gid, err := e.procMaps(id)
	if err != nil {
		return err
	}
	files := map[string]string{
		filepath.Join(procDir, "uid_map"):       uid,
		filepath.Join(procDir, "gid_map"):       gid,
		filepath.Join(cg, "ns", "cgroup.procs"): fmt.Sprintf("%d\n", pid),
		e.pidFile(id):                           fmt.Sprintf("%d\n", pid),
	}
	for _, p := range []string{filepath.Join(procDir, "uid_map"), filepath.Join(procDir, "gid_map"),
		filepath.Join(cg, "ns", "cgroup.procs"), e.pidFile(id)} {
		if err := writeAtomic(p, []byte(files[p]), 0o644); err != nil {
			return fmt.Errorf("pctemu: cannot write running state %s: %v", p, err)
		}
	}
	return e.writeNetUnix()
}
