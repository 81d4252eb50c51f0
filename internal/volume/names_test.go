package volume

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func TestHardToHandleNames(t *testing.T) {
	needRoot(t)
	hp := filepath.Join(t.TempDir(), "vol") // the top path itself is held to hostpath.CheckChars
	names := []string{
		"with space", "new\nline", "tab\there", "ünïcødé-日本語", "-rf", "--no-dereference",
		"*", "$(touch pwned)", "`id`", "'quoted\"", "back\\slash", ".hidden", "..dots",
		strings.Repeat("x", 255),
	}
	for _, n := range names {
		write(t, filepath.Join(hp, n))
		write(t, filepath.Join(hp, "dir "+n[:min(len(n), 200)], n))
	}
	st, err := Apply(Spec{HostPath: hp, UID: hostU, GID: hostG})
	require.NoError(t, err)
	assert.Equal(t, 1+3*len(names), st.Chowns)
	assert.Equal(t, 1+3*len(names), st.Visited)
	for _, n := range names {
		u, _ := owner(t, filepath.Join(hp, n))
		assert.Equal(t, hostU, u, "%q", n)
	}
	assert.NoFileExists(t, "pwned")
}

// mkdeep makes depth nested directories named name below root, with a file
// at the bottom, through directory descriptors: the full path is longer
// than PATH_MAX, so path-based tools cannot even reach the bottom.
func mkdeep(t *testing.T, root string, depth int, name string) {
	t.Helper()
	fd, err := unix.Open(root, dirFlags, 0)
	require.NoError(t, err)
	for i := 0; i < depth; i++ {
		require.NoError(t, unix.Mkdirat(fd, name, 0o755))
		next, err := unix.Openat(fd, name, dirFlags, 0)
		require.NoError(t, err)
		unix.Close(fd)
		fd = next
	}
	f, err := unix.Openat(fd, "bottom", unix.O_CREAT|unix.O_WRONLY|unix.O_CLOEXEC, 0o644)
	require.NoError(t, err)
	unix.Close(f)
	unix.Close(fd)
}

// bottomOwner reads the owner of the deep file through descriptors.
func bottomOwner(t *testing.T, root string, depth int, name string) int {
	t.Helper()
	fd, err := unix.Open(root, dirFlags, 0)
	require.NoError(t, err)
	for i := 0; i < depth; i++ {
		next, err := unix.Openat(fd, name, dirFlags, 0)
		require.NoError(t, err)
		unix.Close(fd)
		fd = next
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	require.NoError(t, unix.Fstatat(fd, "bottom", &st, unix.AT_SYMLINK_NOFOLLOW))
	return int(st.Uid)
}

func TestDeepTreeLongerThanPathMax(t *testing.T) {
	needRoot(t)
	hp := filepath.Join(t.TempDir(), "vol")
	require.NoError(t, os.Mkdir(hp, 0o755))
	const depth = 400
	name := strings.Repeat("d", 30) // 400 * 31 bytes: about three times PATH_MAX
	mkdeep(t, hp, depth, name)

	plan, err := Observe(Spec{HostPath: hp, UID: hostU, GID: hostG})
	require.NoError(t, err)
	assert.Equal(t, depth+2, plan.Chown)
	st, err := Apply(Spec{HostPath: hp, UID: hostU, GID: hostG})
	require.NoError(t, err)
	assert.Equal(t, depth+2, st.Chowns)
	assert.Equal(t, hostU, bottomOwner(t, hp, depth, name))

	st, err = Apply(Spec{HostPath: hp, UID: hostU, GID: hostG})
	require.NoError(t, err)
	assert.Equal(t, Stats{Visited: 1}, st, "converged: only the top is looked at")
	// t.TempDir's cleanup cannot remove a path this long; undo it by hand.
	t.Cleanup(func() { rmdeep(hp, depth, name) })
}

// rmdeep removes what mkdeep made, bottom up, through descriptors.
func rmdeep(root string, depth int, name string) {
	fds := make([]int, 0, depth+1)
	fd, err := unix.Open(root, dirFlags, 0)
	for i := 0; err == nil && i < depth; i++ {
		fds = append(fds, fd)
		fd, err = unix.Openat(fd, name, dirFlags, 0)
	}
	if err != nil {
		return
	}
	_ = unix.Unlinkat(fd, "bottom", 0)
	unix.Close(fd)
	for i := len(fds) - 1; i >= 0; i-- {
		_ = unix.Unlinkat(fds[i], name, unix.AT_REMOVEDIR)
		unix.Close(fds[i])
	}
}
