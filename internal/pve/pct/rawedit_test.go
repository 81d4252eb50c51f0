package pct

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

var custom = []string{"u 0 100000 1000", "g 0 100000 1000", "u 1000 1000 1", "g 1000 1000 1", "u 1001 101001 64535", "g 1001 101001 64535"}

// A client whose Proxmox root holds testdata/snap_pending.conf as CT 102.
func rawEditClient(t *testing.T) (*Client, string) {
	root := t.TempDir()
	c := testClient(newFake(t), root)
	data, err := os.ReadFile("testdata/snap_pending.conf")
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(c.Conf(102)), 0o755))
	require.NoError(t, os.WriteFile(c.Conf(102), data, 0o640))
	return c, string(data)
}

// holdLock takes pct's flock as another pct command would; the returned
// func releases it.
func holdLock(t *testing.T, c *Client, ctid int) func() {
	require.NoError(t, os.MkdirAll(filepath.Dir(c.Lock(ctid)), 0o755))
	f, err := os.OpenFile(c.Lock(ctid), os.O_RDWR|os.O_CREATE, 0o644)
	require.NoError(t, err)
	require.NoError(t, unix.Flock(int(f.Fd()), unix.LOCK_EX))
	return func() { f.Close() }
}

func TestRawEditKeepsSectionsAndUsesMainSection(t *testing.T) {
	c, before := rawEditClient(t)
	require.NoError(t, c.SetRawIdmap(context.Background(), 102, custom))
	after, err := os.ReadFile(c.Conf(102))
	require.NoError(t, err)

	// Everything but the main section's raw lines is byte for byte the same.
	bMain, bRest, _ := strings.Cut(before, "\n[pve:pending]\n")
	aMain, aRest, _ := strings.Cut(string(after), "\n[pve:pending]\n")
	assert.Equal(t, bRest, aRest, "pending and snapshot sections are untouched")
	want := bMain
	for _, l := range custom {
		want += "lxc.idmap: " + l + "\n"
	}
	assert.Equal(t, want, aMain, "lxc.idmap lines go after the main section's other raw keys")

	// No temp file is left next to the conf; a second edit changes nothing.
	ents, _ := os.ReadDir(filepath.Dir(c.Conf(102)))
	assert.Len(t, ents, 1)
	fi1, _ := os.Stat(c.Conf(102))
	require.NoError(t, c.SetRawIdmap(context.Background(), 102, custom))
	fi2, _ := os.Stat(c.Conf(102))
	assert.Equal(t, fi1.ModTime(), fi2.ModTime())
}

func TestRawEditWaitsForPctLock(t *testing.T) {
	c, before := rawEditClient(t)
	release := holdLock(t, c, 102)
	done := make(chan error, 1)
	go func() { done <- c.SetRawIdmap(context.Background(), 102, custom) }()

	select {
	case err := <-done:
		t.Fatalf("the edit went ahead while pct held the lock (err %v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	now, _ := os.ReadFile(c.Conf(102))
	assert.Equal(t, before, string(now), "nothing written while the lock is held")
	release()
	require.NoError(t, <-done)
	now, _ = os.ReadFile(c.Conf(102))
	assert.Contains(t, string(now), "lxc.idmap: u 1000 1000 1")
}

func TestRawEditGivesUpAfterLockWait(t *testing.T) {
	c, before := rawEditClient(t)
	c.LockWait = 50 * time.Millisecond
	defer holdLock(t, c, 102)()
	err := c.SetRawIdmap(context.Background(), 102, custom)
	assert.ErrorIs(t, err, ErrLocked)
	assert.Contains(t, err.Error(), "pve-config-102.lock")
	now, _ := os.ReadFile(c.Conf(102))
	assert.Equal(t, before, string(now))
}

func TestRawEditRefusesLockedOrMissingContainer(t *testing.T) {
	c, _ := rawEditClient(t)
	assert.ErrorIs(t, c.SetRawIdmap(context.Background(), 103, custom), ErrNotFound)
	data, _ := os.ReadFile(c.Conf(102))
	require.NoError(t, os.WriteFile(c.Conf(102), []byte("lock: backup\n"+string(data)), 0o640))
	assert.ErrorIs(t, c.SetRawIdmap(context.Background(), 102, custom), ErrLocked, "as pct set: a lock: value blocks edits")
}
