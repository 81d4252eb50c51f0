package lxc

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// Observe reads each container from scratch: its config, snapshot, records
// and pending files directly; whether it runs from the kernel's list of
// unix sockets (LXC's monitor listens on @<lxcpath>/<name>/command while
// the container runs), and only for a running one `lxc-info` for its init
// pid. Nothing is changed.
func (b *Backend) Observe(ctx context.Context, ctids []int) (map[int]*backend.State, error) {
	sockets, err := os.ReadFile(filepath.Join(b.Proc, "net/unix"))
	if err != nil {
		sockets = nil // no list: ask lxc-info for every container
	}
	out := make(map[int]*backend.State, len(ctids))
	for _, id := range ctids {
		st, err := b.observe(ctx, id, sockets)
		if err != nil {
			return nil, err // the caller names the container
		}
		out[id] = st
	}
	return out, nil
}

func (b *Backend) observe(ctx context.Context, id int, sockets []byte) (*backend.State, error) {
	st := &backend.State{CTID: id}
	data, err := os.ReadFile(b.confPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	// LXC marks a creation in progress with a "partial" file and removes
	// such a container when it next loads it: it does not exist yet.
	if _, err := os.Stat(filepath.Join(b.dir(id), "partial")); err == nil {
		return st, nil
	}
	// Likewise a clone whose lxc-copy was killed (see Clone).
	if _, err := os.Stat(b.cloningMark(id)); err == nil {
		return st, nil
	}
	if err := fillFromConf(st, string(data), b.confPath(id)); err != nil {
		return nil, err
	}
	if st.Snapshots, err = b.snapshotNames(id); err != nil {
		return nil, err
	}
	if st.Records, err = readRecords(b.records(id)); err != nil {
		return nil, err
	}
	if sockets != nil && !b.mayRun(id, sockets) {
		return st, nil
	}
	res, err := b.r.Run(ctx, runner.Cmd{Argv: b.lxc("lxc-info", id, "-s", "-p", "-H")})
	if err != nil {
		return nil, err
	}
	state, pid := parseInfo(string(res.Stdout))
	st.Running = state == "RUNNING"
	if !st.Running {
		return st, nil
	}
	if pid <= 0 {
		return nil, fmt.Errorf("lxc-info says RUNNING but gives no init pid: %q", res.Stdout)
	}
	st.InitPID = pid
	st.Pending = readPending(b.pending(id))
	st.RunningMap, err = readProcMaps(filepath.Join(b.Proc, strconv.Itoa(pid)))
	return st, err
}

// mayRun reports whether the container may be running, from
// /proc/net/unix: its monitor's abstract socket @<lxcpath>/<id>/command is
// listed. LXC hashes a name that does not fit a socket address (108 bytes
// with the leading NUL); such a container may run whatever the list says.
func (b *Backend) mayRun(id int, sockets []byte) bool {
	name := "@" + filepath.Join(b.LXCPath, strconv.Itoa(id), "command")
	if len(name) >= 108 || !filepath.IsAbs(b.LXCPath) {
		return true
	}
	for _, l := range strings.Split(string(sockets), "\n") {
		if f := strings.Fields(l); len(f) == 8 && f[7] == name {
			return true
		}
	}
	return false
}

// fillFromConf sets everything the config file says.
func fillFromConf(st *backend.State, text, path string) error {
	c := parseConf(text)
	st.Exists, st.ConfText = true, text
	st.Hostname, _ = c.get("lxc.uts.name")
	given, err := confMap(c)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	st.Unprivileged = len(c.all("lxc.idmap")) > 0
	st.GivenMap, st.GivenMapFrom = given, path
	st.Mounts = parseMounts(c)
	return nil
}

// parseInfo reads `lxc-info -s -p -H`: "State: RUNNING" and "PID: 123"
// lines (a single requested field comes without its label).
func parseInfo(out string) (state string, pid int) {
	for _, l := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "State":
			state = strings.TrimSpace(v)
		case "PID":
			pid, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return state, pid
}

// readProcMaps reads uid_map and gid_map of a process directory.
func readProcMaps(dir string) (idmap.Set, error) {
	var out idmap.Set
	for _, k := range []idmap.Kind{idmap.UID, idmap.GID} {
		data, err := os.ReadFile(filepath.Join(dir, string(k)+"id_map"))
		if err != nil {
			return nil, fmt.Errorf("read the running id map: %w", err)
		}
		s, err := idmap.ParseProc(k, string(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		out = append(out, s...)
	}
	return out, nil
}

// snap is one LXC snapshot: its directory (snap0, snap1, ...) and the name
// phoenix_lxc gave it, kept in the snapshot's comment file.
type snap struct{ Dir, Name string }

// snapshots lists ctid's snapshots in the order they were taken.
func (b *Backend) snapshots(ctid int) ([]snap, error) {
	ents, err := os.ReadDir(b.snapsDir(ctid))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []snap
	for _, e := range ents {
		n, err := strconv.Atoi(strings.TrimPrefix(e.Name(), "snap"))
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "snap") || err != nil || n < 0 {
			continue
		}
		s := snap{Dir: e.Name(), Name: e.Name()}
		if c, err := os.ReadFile(filepath.Join(b.snapsDir(ctid), e.Name(), "comment")); err == nil {
			if f := strings.Fields(string(c)); len(f) == 1 {
				s.Name = f[0]
			}
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return snapNum(out[i].Dir) < snapNum(out[j].Dir) })
	return out, nil
}

func snapNum(dir string) int { n, _ := strconv.Atoi(strings.TrimPrefix(dir, "snap")); return n }

func (b *Backend) snapshotNames(ctid int) ([]string, error) {
	snaps, err := b.snapshots(ctid)
	var names []string
	for _, s := range snaps {
		names = append(names, s.Name)
	}
	return names, err
}

// snapDir finds the directory of the snapshot called name.
func (b *Backend) snapDir(ctid int, name string) (string, error) {
	snaps, err := b.snapshots(ctid)
	if err != nil {
		return "", err
	}
	for _, s := range snaps {
		if s.Name == name {
			return s.Dir, nil
		}
	}
	return "", fmt.Errorf("CT %d has no snapshot named %q (in %s)", ctid, name, b.snapsDir(ctid))
}
