package volume

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// outside makes a root-owned directory with a root-owned file outside the
// volume, for symlinks to point at.
func outside(t *testing.T) (dir, file string) {
	t.Helper()
	dir = t.TempDir()
	file = filepath.Join(dir, "secret")
	write(t, file)
	return dir, file
}

func assertRootOwned(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		u, g := owner(t, p)
		assert.Equal(t, [2]int{0, 0}, [2]int{u, g}, "%s must keep its owner", p)
	}
}

func TestSymlinksInsideAreNotFollowed(t *testing.T) {
	needRoot(t)
	odir, ofile := outside(t)
	base := t.TempDir()
	hp, other := base+"/vol", base+"/other"
	write(t, other+"/data")
	require.NoError(t, os.Chown(other, 102000, 102000))
	require.NoError(t, os.Chown(other+"/data", 102000, 102000))
	require.NoError(t, os.MkdirAll(hp, 0o755))
	links := map[string]string{
		"etc":      "/etc",
		"passwd":   "/etc/passwd",
		"file":     ofile,
		"dir":      odir,
		"relative": "../../" + filepath.Base(odir) + "/secret",
		"other":    other,
		"dangling": "/nonexistent/x",
		"self":     ".",
	}
	for name, target := range links {
		require.NoError(t, os.Symlink(target, filepath.Join(hp, name)))
	}
	etcU, etcG := owner(t, "/etc")
	pwU, pwG := owner(t, "/etc/passwd")

	st, err := Apply(Spec{HostPath: hp, UID: hostU, GID: hostG, Mode: 0o700, HasMode: true})
	require.NoError(t, err)
	assert.Equal(t, 1+len(links), st.Chowns, "the top and each link itself")

	for name := range links {
		u, g := owner(t, filepath.Join(hp, name))
		assert.Equal(t, [2]int{hostU, hostG}, [2]int{u, g}, "link %s itself is owned by the volume owner", name)
	}
	assertRootOwned(t, odir, ofile)
	u, g := owner(t, "/etc")
	assert.Equal(t, [2]int{etcU, etcG}, [2]int{u, g})
	u, g = owner(t, "/etc/passwd")
	assert.Equal(t, [2]int{pwU, pwG}, [2]int{u, g})
	assert.Equal(t, uint32(0o755), mode(t, "/etc"))
	for _, p := range []string{other, other + "/data"} {
		u, g := owner(t, p)
		assert.Equal(t, [2]int{102000, 102000}, [2]int{u, g}, "another volume keeps its owner: %s", p)
	}
}

func TestHostPathSymlinkRefused(t *testing.T) {
	needRoot(t)
	base := t.TempDir()
	require.NoError(t, os.Mkdir(base+"/real", 0o755))
	require.NoError(t, os.Symlink(base+"/real", base+"/vol"))
	spec := Spec{HostPath: base + "/vol", UID: hostU, GID: hostG}

	_, err := Observe(spec)
	require.ErrorContains(t, err, "shared volume "+base+"/vol is a symlink (to \""+base+"/real\")")
	_, err = Apply(spec)
	require.ErrorContains(t, err, "is a symlink")
	assertRootOwned(t, base+"/real")
}

func TestHostPathComponentSymlinkRefused(t *testing.T) {
	needRoot(t)
	base := t.TempDir()
	write(t, base+"/real/vol/f")
	require.NoError(t, os.Symlink("real", base+"/link"))
	for _, hp := range []string{base + "/link/vol", base + "/link/new/vol"} {
		spec := Spec{HostPath: hp, UID: hostU, GID: hostG}
		_, err := Observe(spec)
		require.ErrorContains(t, err, "path component "+base+"/link is a symlink (to \"real\")")
		_, err = Apply(spec)
		require.ErrorContains(t, err, "path component "+base+"/link is a symlink")
	}
	assertRootOwned(t, base+"/real/vol", base+"/real/vol/f")
	assert.NoDirExists(t, base+"/real/new", "nothing is made through a symlink")
}

func TestDirectorySwappedBeforeApply(t *testing.T) {
	needRoot(t)
	odir, ofile := outside(t)
	hp := filepath.Join(t.TempDir(), "vol")
	write(t, hp+"/sub/f")
	spec := Spec{HostPath: hp, UID: hostU, GID: hostG}
	plan, err := Observe(spec)
	require.NoError(t, err)
	assert.Equal(t, 3, plan.Chown)

	require.NoError(t, os.Rename(hp+"/sub", hp+"/sub.old"))
	require.NoError(t, os.Symlink(odir, hp+"/sub"))
	_, err = Apply(spec)
	require.NoError(t, err)
	assertRootOwned(t, odir, ofile)
	u, _ := owner(t, hp+"/sub.old/f")
	assert.Equal(t, hostU, u)
}

func TestDirectorySwappedDuringWalk(t *testing.T) {
	needRoot(t)
	odir, ofile := outside(t)
	hp := filepath.Join(t.TempDir(), "vol")
	write(t, hp+"/a/sub/f")
	swapped := false
	testHookBeforeOpen = func(path string) {
		if path == hp+"/a/sub" && !swapped {
			swapped = true
			require.NoError(t, os.Rename(hp+"/a/sub", hp+"/a/sub.old"))
			require.NoError(t, os.Symlink(odir, hp+"/a/sub"))
		}
	}
	t.Cleanup(func() { testHookBeforeOpen = nil })

	st, err := Apply(Spec{HostPath: hp, UID: hostU, GID: hostG})
	require.NoError(t, err)
	require.True(t, swapped)
	assertRootOwned(t, odir, ofile)
	u, _ := owner(t, hp+"/a/sub")
	assert.Equal(t, hostU, u, "the link that replaced the directory is owned, not followed")
	assert.Equal(t, 3, st.Chowns, "top, a, and the link")
}

func TestParentSwappedDuringWalkStaysInside(t *testing.T) {
	needRoot(t)
	odir, ofile := outside(t)
	write(t, odir+"/sub/deep")
	hp := filepath.Join(t.TempDir(), "vol")
	write(t, hp+"/a/sub/f")
	// While "a/sub" is being opened, "a" itself is swapped for a link to
	// the outside tree, which has the same names. The walk holds "a" open,
	// so it must still see the volume's own "a/sub".
	testHookBeforeOpen = func(path string) {
		if path == hp+"/a/sub" {
			testHookBeforeOpen = nil
			require.NoError(t, os.Rename(hp+"/a", hp+"/a.old"))
			require.NoError(t, os.Symlink(odir, hp+"/a"))
		}
	}
	t.Cleanup(func() { testHookBeforeOpen = nil })

	_, err := Apply(Spec{HostPath: hp, UID: hostU, GID: hostG})
	require.NoError(t, err)
	assertRootOwned(t, odir, ofile, odir+"/sub", odir+"/sub/deep")
	u, _ := owner(t, hp+"/a.old/sub/f")
	assert.Equal(t, hostU, u, "the walk went on in the directory it had opened")
}

func TestHardLinksAndDevicesLeftAlone(t *testing.T) {
	needRoot(t)
	_, ofile := outside(t) // same filesystem as the volume (both in the temp dir)
	hp := filepath.Join(t.TempDir(), "vol")
	write(t, hp+"/own")
	if err := os.Link(ofile, hp+"/hard"); err != nil {
		t.Skipf("hard link across temp dirs: %v", err)
	}
	require.NoError(t, unix.Mknod(hp+"/null", unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))))

	st, err := Apply(Spec{HostPath: hp, UID: hostU, GID: hostG})
	require.NoError(t, err)
	assertRootOwned(t, ofile, hp+"/null")
	assert.Equal(t, 2, st.Skipped)
	assert.Len(t, st.Notes, 2)
	plan, err := Observe(Spec{HostPath: hp, UID: hostU, GID: hostG})
	require.NoError(t, err)
	assert.True(t, plan.Empty(), "skipped entries do not make the plan non-empty")
}

func TestMountInsideVolumeNotCrossed(t *testing.T) {
	needRoot(t)
	hp := filepath.Join(t.TempDir(), "vol")
	require.NoError(t, os.MkdirAll(hp+"/mnt", 0o755))
	if err := unix.Mount("tmpfs", hp+"/mnt", "tmpfs", 0, "mode=0755"); err != nil {
		t.Skipf("cannot mount tmpfs here: %v", err)
	}
	t.Cleanup(func() { _ = unix.Unmount(hp+"/mnt", unix.MNT_DETACH) })
	write(t, hp+"/mnt/f")

	st, err := Apply(Spec{HostPath: hp, UID: hostU, GID: hostG})
	require.NoError(t, err)
	assert.Equal(t, 1, st.Skipped)
	assertRootOwned(t, hp+"/mnt", hp+"/mnt/f")
}

func TestBindMountFromSameFilesystemNotCrossed(t *testing.T) {
	needRoot(t)
	odir, ofile := outside(t) // same filesystem as the volume
	hp := filepath.Join(t.TempDir(), "vol")
	require.NoError(t, os.MkdirAll(hp+"/bind", 0o755))
	if err := unix.Mount(odir, hp+"/bind", "", unix.MS_BIND, ""); err != nil {
		t.Skipf("cannot bind mount here: %v", err)
	}
	t.Cleanup(func() { _ = unix.Unmount(hp+"/bind", unix.MNT_DETACH) })

	st, err := Apply(Spec{HostPath: hp, UID: hostU, GID: hostG})
	require.NoError(t, err)
	assert.Equal(t, 1, st.Skipped, "notes: %v", st.Notes)
	assertRootOwned(t, odir, ofile)
}
