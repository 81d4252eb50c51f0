package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// lockContainer takes the run lock of one container: one run at a time per
// CTID. The kernel drops the lock when the process dies, so a killed run
// never leaves it held. It returns whether it had to wait.
func lockContainer(ctx context.Context, dir string, ctid int, timeout time.Duration) (unlock func(), waited bool, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, false, fmt.Errorf("run lock: %v", err)
	}
	path := filepath.Join(dir, strconv.Itoa(ctid)+".lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("run lock: %v", err)
	}
	deadline := time.Now().Add(timeout)
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { _ = unix.Flock(int(f.Fd()), unix.LOCK_UN); f.Close() }, waited, nil
		}
		if err != unix.EWOULDBLOCK {
			f.Close()
			return nil, waited, fmt.Errorf("run lock %s: %v", path, err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, waited, fmt.Errorf("CT %d is being converged by another run (lock %s held for over %s); wait for it or raise lock_timeout", ctid, path, timeout)
		}
		waited = true
		select {
		case <-ctx.Done():
			f.Close()
			return nil, waited, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
