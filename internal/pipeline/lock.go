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
	path := filepath.Join(dir, strconv.Itoa(ctid)+".lock")
	fd, err := unix.Open(path, unix.O_CREAT|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err == unix.ENOENT {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, false, fmt.Errorf("run lock: %v", err)
		}
		fd, err = unix.Open(path, unix.O_CREAT|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	}
	if err != nil {
		return nil, false, fmt.Errorf("run lock %s: %v", path, err)
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
