package lxc

import (
	"archive/tar"
	"compress/gzip"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeTestTarball writes a small rootfs .tar.gz into dir (readable by the
// container's root) with files owned by container root and by uid 1000.
func writeTestTarball(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "rootfs.tar.gz")
	f, err := os.Create(p)
	require.NoError(t, err)
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	entries := []struct {
		name string
		uid  int
		body string
	}{{"./", 0, ""}, {"./etc/", 0, ""}, {"./etc/hostname", 0, "tar\n"}, {"./home/", 0, ""}, {"./home/user/", 1000, ""}, {"./home/user/file", 1000, "mine\n"}}
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Uid: e.uid, Gid: e.uid, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(e.body))}
		if e.name[len(e.name)-1] == '/' {
			h.Mode, h.Typeflag = 0o755, tar.TypeDir
		}
		require.NoError(t, tw.WriteHeader(h))
		_, err := tw.Write([]byte(e.body))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
	require.NoError(t, os.Chmod(p, 0o644))
	return p
}

func itoa(n int) string { return strconv.Itoa(n) }
