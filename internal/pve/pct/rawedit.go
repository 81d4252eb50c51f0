package pct

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// EditConf changes the container's conf where pct has no option for it (raw
// lxc.* lines). It takes pct's own per-container flock, refuses a container
// with a lock: value as pct set does, applies edit to the parsed conf and,
// when the canonical text changed, writes it atomically (temp file in the
// same folder, fsync, rename). Everything edit leaves alone is written back
// as pct itself would write it.
func (c *Client) EditConf(ctx context.Context, ctid int, edit func(*conf.Config) error) error {
	unlock, err := c.lockConf(ctx, ctid)
	if err != nil {
		return err
	}
	defer unlock()
	path := c.Conf(ctid)
	old, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return &Error{Kind: ErrNotFound, Cmd: &runner.Error{Argv: []string{"edit", path}, ExitCode: 2,
				Stderr: fmt.Sprintf("Configuration file '%s' does not exist", path)}}
		}
		return fmt.Errorf("read %s: %w", path, err)
	}
	cfg, _ := conf.Parse(old)
	if lock, ok := cfg.Main.Get("lock"); ok && lock != "" {
		return &Error{Kind: ErrLocked, Cmd: &runner.Error{Argv: []string{"edit", path}, ExitCode: 2,
			Stderr: fmt.Sprintf("CT is locked (%s)", lock)}}
	}
	if err := edit(cfg); err != nil {
		return err
	}
	out := cfg.Bytes()
	if bytes.Equal(out, old) {
		return nil
	}
	return WriteAtomic(path, out)
}

// SetRawIdmap puts exactly lines as the lxc.idmap entries of the main
// section (never inside a snapshot or pending section).
func (c *Client) SetRawIdmap(ctx context.Context, ctid int, lines []string) error {
	return c.EditConf(ctx, ctid, func(cfg *conf.Config) error {
		cfg.Main.SetRaw("lxc.idmap", lines)
		return nil
	})
}

// lockConf takes pct's flock on run/lock/lxc/pve-config-<id>.lock, waiting
// at most LockWait, and returns its release.
func (c *Client) lockConf(ctx context.Context, ctid int) (func(), error) {
	path := c.Lock(ctid)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("lock CT %d: %w", ctid, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock CT %d: %w", ctid, err)
	}
	deadline := time.Now().Add(c.LockWait)
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { _ = unix.Flock(int(f.Fd()), unix.LOCK_UN); f.Close() }, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			f.Close()
			return nil, &Error{Kind: ErrLocked, Cmd: &runner.Error{Argv: []string{"flock", path}, ExitCode: 1,
				Stderr: fmt.Sprintf("can't lock file '%s' - got timeout after %s (a pct command on CT %d holds it)", path, c.LockWait, ctid)}}
		}
		select {
		case <-ctx.Done():
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// WriteAtomic replaces path with data: a temp file next to it (named the
// way Proxmox names its own, so pmxcfs accepts it), fsync, rename, fsync
// of the folder.
func WriteAtomic(path string, data []byte) error {
	mode := os.FileMode(0o640)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp := path + ".tmp." + strconv.Itoa(os.Getpid())
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
