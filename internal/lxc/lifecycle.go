package lxc

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// startWait is how long Start waits for RUNNING, in seconds.
const startWait = "10"

// stopWait is how long Stop waits for a clean shutdown before killing, in seconds.
const stopWait = "10"

// Start plans lxc-start (daemonized) and a wait for RUNNING; changes that
// were pending a restart are then in effect.
func (b *Backend) Start(st *backend.State) backend.Action {
	id := st.CTID
	argv := b.lxc("lxc-start", id)
	return backend.Action{Step: "start", Name: "start", Argv: argv, Why: fmt.Sprintf("CT %d is stopped", id),
		Do: func(ctx context.Context) error { return b.start(ctx, id) }}
}

func (b *Backend) start(ctx context.Context, id int) error {
	if _, err := b.r.Run(ctx, runner.Cmd{Argv: b.lxc("lxc-start", id)}); err != nil {
		return err
	}
	if _, err := b.r.Run(ctx, runner.Cmd{Argv: b.lxc("lxc-wait", id, "-s", "RUNNING", "-t", startWait)}); err != nil {
		return err
	}
	if err := os.Remove(b.pending(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Stop plans lxc-stop: a clean shutdown, killed after stopWait seconds.
// Unprotect does nothing: LXC has no protection flag, so st.Protected is
// never true here.
func (b *Backend) Unprotect(st *backend.State) backend.Action {
	return backend.Action{Step: "state", Name: "set", Pseudo: true, Argv: []string{"unprotect", strconv.Itoa(st.CTID)},
		Why: "no protection on LXC", Do: func(context.Context) error { return nil }}
}

func (b *Backend) Stop(st *backend.State) backend.Action {
	argv := b.lxc("lxc-stop", st.CTID, "-t", stopWait)
	return backend.Action{Step: "state", Name: "stop", Argv: argv, Why: fmt.Sprintf("CT %d is running", st.CTID),
		Do: func(ctx context.Context) error {
			_, err := b.r.Run(ctx, runner.Cmd{Argv: argv})
			return err
		}}
}

// Destroy plans lxc-destroy of the container and its snapshots. Do looks
// again whether it runs (it may have stopped since it was observed) and
// kills it first if so.
func (b *Backend) Destroy(st *backend.State) backend.Action {
	id := st.CTID
	argv := b.lxc("lxc-destroy", id, "-s")
	return backend.Action{Step: "state", Name: "destroy", Argv: argv, Why: fmt.Sprintf("CT %d exists and state is absent", id),
		Do: func(ctx context.Context) error {
			res, err := b.r.Run(ctx, runner.Cmd{Argv: b.lxc("lxc-info", id, "-s", "-p", "-H")})
			if err != nil {
				return err
			}
			if state, _ := parseInfo(string(res.Stdout)); state != "STOPPED" {
				if _, err := b.r.Run(ctx, runner.Cmd{Argv: b.lxc("lxc-stop", id, "-k")}); err != nil {
					return err
				}
			}
			_, err = b.r.Run(ctx, runner.Cmd{Argv: argv})
			return err
		}}
}

// Snapshot plans lxc-snapshot, naming the snapshot through its comment
// file, and keeps a copy of the records with it for clones. LXC cannot
// snapshot a running container: it is stopped for the copy and started
// again.
func (b *Backend) Snapshot(st *backend.State, name string) backend.Action {
	id, running := st.CTID, st.Running
	comment := filepath.Join(b.dir(id), "phoenix_lxc.snapname")
	argv := b.lxc("lxc-snapshot", id, "-c", comment)
	why := fmt.Sprintf("CT %d has no snapshot %q", id, name)
	if running {
		why += " (LXC snapshots a stopped container: it is stopped and started again)"
	}
	return backend.Action{Step: "snapshot", Name: "snapshot", Argv: argv, Why: why,
		Do: func(ctx context.Context) error {
			if err := checkValue("template_snapshot_name", name); err != nil {
				return err
			}
			if running {
				if _, err := b.r.Run(ctx, runner.Cmd{Argv: b.lxc("lxc-stop", id, "-t", stopWait)}); err != nil {
					return err
				}
			}
			if err := b.dropPartialSnapshots(ctx, id); err != nil {
				return err
			}
			if err := writeAtomic(comment, []byte(name+"\n"), 0o600); err != nil {
				return err
			}
			defer os.Remove(comment)
			if _, err := b.r.Run(ctx, runner.Cmd{Argv: argv}); err != nil {
				return err
			}
			if err := os.Remove(b.snapshotting(id)); err != nil {
				return err
			}
			dir, err := b.snapDir(id, name)
			if err != nil {
				return err
			}
			if err := copyFileIfExists(b.records(id), filepath.Join(b.snapsDir(id), dir, "phoenix_lxc.records")); err != nil {
				return err
			}
			if running {
				return b.start(ctx, id)
			}
			return nil
		}}
}

// snapshotting lists, while lxc-snapshot runs, the snapshot folders that
// existed before it: a folder not in the list is the one being made.
func (b *Backend) snapshotting(ctid int) string {
	return filepath.Join(b.dir(ctid), "phoenix_lxc.snapshotting")
}

// dropPartialSnapshots destroys what a killed lxc-snapshot left behind (a
// snapN folder it had not finished, so without the name phoenix_lxc gave
// it), then notes the folders that exist now. A user's own snapshots are
// in the note and left alone.
func (b *Backend) dropPartialSnapshots(ctx context.Context, id int) error {
	snaps, err := b.snapshots(id)
	if err != nil {
		return err
	}
	before := map[string]bool{}
	if data, err := os.ReadFile(b.snapshotting(id)); err == nil {
		for _, d := range strings.Fields(string(data)) {
			before[d] = true
		}
		var kept []snap
		for _, s := range snaps {
			if before[s.Dir] || s.Name != s.Dir { // older, or finished (named)
				kept = append(kept, s)
				continue
			}
			if _, err := b.r.Run(ctx, runner.Cmd{Argv: b.lxc("lxc-snapshot", id, "-d", s.Dir)}); err != nil {
				return fmt.Errorf("remove the snapshot %s a killed run left unfinished: %w", s.Dir, err)
			}
		}
		snaps = kept
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	var dirs []string
	for _, s := range snaps {
		dirs = append(dirs, s.Dir)
	}
	return writeAtomic(b.snapshotting(id), []byte(strings.Join(dirs, "\n")+"\n"), 0o600)
}

// attach is the lxc-attach argv that runs argv inside ctid with a clean
// environment.
func (b *Backend) attach(ctid int, argv ...string) []string {
	return append(b.lxc("lxc-attach", ctid, "--clear-env", "--"), argv...)
}

// Exec plans running argv inside the container, stdin fed from stdin.
func (b *Backend) Exec(ctid int, argv []string, stdin []byte) backend.Action {
	full := b.attach(ctid, argv...)
	return backend.Action{Step: "application", Name: "exec", Argv: full, Why: "run inside CT " + strconv.Itoa(ctid),
		Do: func(ctx context.Context) error {
			_, err := b.r.Run(ctx, runner.Cmd{Argv: full, Stdin: stdin})
			return err
		}}
}

// Capture plans running argv inside the container, keeping its stdout.
func (b *Backend) Capture(ctid int, argv []string, out *string) backend.Action {
	a := b.Exec(ctid, argv, nil)
	a.Do = func(ctx context.Context) error {
		res, err := b.r.Run(ctx, runner.Cmd{Argv: a.Argv})
		*out = string(res.Stdout)
		return err
	}
	return a
}

// pushScript writes stdin to "$1" and sets mode "$2", run by the
// container's own shell: the write happens inside the container, so a
// symlink there cannot redirect it onto the host. It is never written
// through a symlink either: whatever is at "$1" is removed (rm removes a
// symlink, not what it points to), then the file is created exclusively
// (noclobber: O_EXCL), so the write fails if anything appeared meanwhile;
// umask 077 keeps it private until chmod.
const pushScript = `umask 077 && rm -f "$1" && set -C && cat > "$1" && chmod "$2" "$1"`

// Push plans writing content to path inside the running container.
func (b *Backend) Push(ctid int, content []byte, path string, mode string) backend.Action {
	if mode == "" {
		mode = "0644"
	}
	argv := b.attach(ctid, "/bin/sh", "-c", pushScript, "sh", path, mode)
	return backend.Action{Step: "application", Name: "push", Argv: argv,
		Why: fmt.Sprintf("write %d bytes to %s in CT %d", len(content), path, ctid),
		Do: func(ctx context.Context) error {
			_, err := b.r.Run(ctx, runner.Cmd{Argv: argv, Stdin: content})
			return err
		}}
}

// Record plans storing key=value in the container's records file (next to
// its config, outside the rootfs), rewritten atomically.
func (b *Backend) Record(st *backend.State, key, value string) backend.Action {
	path := b.records(st.CTID)
	return backend.Action{Step: "application", Name: "record", Pseudo: true, Argv: []string{"record", path, key},
		Why: "remember " + key + " for the next run",
		Do: func(ctx context.Context) error {
			m, err := readRecords(path)
			if err != nil {
				return err
			}
			m[key] = value
			return writeRecords(path, m)
		}}
}
