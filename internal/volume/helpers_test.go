package volume

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// host ids of container 1000:1000 under the default map.
const hostU, hostG = 101000, 101000

// needRoot skips a test that must chown.
func needRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown")
	}
}

// owner is path's own uid:gid (a symlink's own, not its target's).
func owner(t testing.TB, path string) (int, int) {
	t.Helper()
	fi, err := os.Lstat(path)
	require.NoError(t, err)
	st := fi.Sys().(*syscall.Stat_t)
	return int(st.Uid), int(st.Gid)
}

// mode is path's permission bits as chmod takes them.
func mode(t testing.TB, path string) uint32 {
	t.Helper()
	fi, err := os.Lstat(path)
	require.NoError(t, err)
	return fi.Sys().(*syscall.Stat_t).Mode & 0o7777
}

// write makes a file (and its parents) owned by root.
func write(t testing.TB, path string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte("x"), 0o644))
}

// snapshot records every entry's owner, mode and ctime below root; any
// chown or chmod changes ctime.
func snapshot(t testing.TB, root string) map[string][4]int64 {
	t.Helper()
	out := map[string][4]int64{}
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		out[p] = [4]int64{int64(st.Uid), int64(st.Gid), int64(st.Mode), st.Ctim.Nano()}
		return nil
	})
	require.NoError(t, err)
	return out
}
