package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"

	"golang.org/x/sys/unix"
)

// lockContainer takes the run lock of one container: one run at a time per
// CTID. The kernel drops the lock when the process dies, so a killed run
// never leaves it held. It returns whether it had to wait.
func lockContainer(ctx context.Context, dir string, ctid int, timeout time.Duration) (unlock func(), waited bool, err error) {
	if err := lockFolder(dir); err != nil {
		return nil, false, err
	}
	path := filepath.Join(dir, strconv.Itoa(ctid)+".lock")
	fd, err := unix.Open(path, unix.O_CREAT|unix.O_RDWR|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("run lock %s: %v (it must be a plain file in a root-only folder)", path, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return nil, false, fmt.Errorf("run lock %s is not a regular file; remove it", path)
	}
	deadline := time.Now().Add(timeout)
	for {
		err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { unix.Close(fd) }, waited, nil
		}
		if err != unix.EWOULDBLOCK {
			unix.Close(fd)
			return nil, waited, fmt.Errorf("run lock %s: %v", path, err)
		}
		if time.Now().After(deadline) {
			unix.Close(fd)
			return nil, waited, fmt.Errorf("CT %d is being converged by another run (lock %s held for over %s); wait for it or raise lock_timeout", ctid, path, timeout)
		}
		waited = true
		select {
		case <-ctx.Done():
			unix.Close(fd)
			return nil, waited, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// lockFolder makes sure the lock folder is root's alone: created with mode
// 0700 when missing; refused when it is a symlink or not a directory owned
// by this (root) user, as another local user could have made it first in
// world-writable /run/lock to plant symlinks or hold locks. A folder of
// ours with a wider mode (an older version made it 0755) is narrowed.
func lockFolder(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("run lock folder %s: %v", dir, err)
	}
	if err := unix.Mkdir(dir, 0o700); err != nil && err != unix.EEXIST {
		return fmt.Errorf("run lock folder %s: %v", dir, err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(dir, &st); err != nil {
		return fmt.Errorf("run lock folder %s: %v", dir, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR || int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("run lock folder %s is not a directory owned by uid %d (it is uid %d, mode %o): another user may have made it; remove it and run again", dir, os.Geteuid(), st.Uid, st.Mode)
	}
	if st.Mode&0o077 != 0 {
		if err := unix.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("run lock folder %s: %v", dir, err)
		}
	}
	return nil
}

// sourceLocks serialise the clones of one source. Proxmox locks a clone's
// source for the whole copy (pve-container API2/LXC.pm clone_vm:
// set_lock($vmid, 'disk')), and a second clone of it fails with "CT is
// locked (disk)". A clone waits for its siblings in this run without a
// deadline (the run is making progress), the one with the most work
// behind it first, then takes the source's run lock, so that no other run
// converges or clones the source meanwhile.
type sourceLocks struct {
	mu      sync.Mutex
	cond    *sync.Cond
	busy    map[int]bool        // source -> a clone of it runs
	waiting map[int]map[int]int // source -> waiting clone -> its rank
	rank    map[int]int         // how much of the fleet waits behind a container
}

func newSourceLocks(rank map[int]int) *sourceLocks {
	s := &sourceLocks{busy: map[int]bool{}, waiting: map[int]map[int]int{}, rank: rank}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// expect queues clone for src as soon as the walk starts it, before its
// goroutine runs, so that a sibling started at the same moment but with
// less work behind it cannot take the source first.
func (s *sourceLocks) expect(src, clone int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.waiting[src] == nil {
		s.waiting[src] = map[int]int{}
	}
	s.waiting[src][clone] = s.rank[clone]
}

// forget drops clone from src's queue once it knows it will not copy src
// (define is behind it, or it failed before), so its siblings go on.
func (s *sourceLocks) forget(src, clone int) {
	s.mu.Lock()
	delete(s.waiting[src], clone)
	s.mu.Unlock()
	s.cond.Broadcast()
}

// acquire waits until clone may copy src: nothing else copies it and no
// queued sibling has more work behind it. It returns the release.
func (s *sourceLocks) acquire(src, clone int) func() {
	s.expect(src, clone)
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.busy[src] || !first(s.waiting[src], clone) {
		s.cond.Wait()
	}
	delete(s.waiting[src], clone)
	s.busy[src] = true
	return func() {
		s.mu.Lock()
		s.busy[src] = false
		s.mu.Unlock()
		s.cond.Broadcast()
	}
}

// first reports whether id comes first among the waiters: highest rank,
// then lowest CTID.
func first(waiters map[int]int, id int) bool {
	for other, r := range waiters {
		if r > waiters[id] || (r == waiters[id] && other < id) {
			return false
		}
	}
	return true
}

// cloneSource returns the clone source's state and what releases it. Out
// of check mode the source is held (see sourceLocks) and observed from
// scratch under its lock; in check mode nothing is locked, and a source
// this run has planned is taken as predicted.
func (x *converger) cloneSource(ctx context.Context, src int) (*backend.State, func(), error) {
	observe := func() (*backend.State, error) {
		sts, err := x.req.Backend.Observe(ctx, []int{src})
		if err != nil {
			return nil, fmt.Errorf("observe clone source CT %d: %w", src, err)
		}
		return sts[src], nil
	}
	if x.req.CheckMode {
		if st := x.known.get(src); st != nil {
			return st, func() {}, nil
		}
		st, err := observe()
		return st, func() {}, err
	}
	done := x.sources.acquire(src, x.ctid)
	unlock, _, err := lockContainer(ctx, x.req.LockDir, src, x.req.LockTimeout)
	if err != nil {
		done()
		return nil, nil, fmt.Errorf("clone source: %w", err)
	}
	release := func() { unlock(); done() }
	st, err := observe()
	if err != nil {
		release()
		return nil, nil, err
	}
	return st, release, nil
}
