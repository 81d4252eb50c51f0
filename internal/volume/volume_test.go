package volume

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestApplyCreatesMissingDirectories(t *testing.T) {
	needRoot(t)
	old := syscall.Umask(0o077) // created directories must not depend on the umask
	defer syscall.Umask(old)
	base := t.TempDir()
	hp := filepath.Join(base, "a", "b", "vol")
	spec := Spec{HostPath: hp, UID: hostU, GID: hostG, Mode: 0o750, HasMode: true}

	plan, err := Observe(spec)
	require.NoError(t, err)
	assert.Equal(t, []string{base + "/a", base + "/a/b", hp}, plan.Create)
	assert.Equal(t, 1, plan.Chown)
	assert.True(t, plan.Chmod)
	assert.NoDirExists(t, base+"/a", "Observe must not create anything")

	st, err := Apply(spec)
	require.NoError(t, err)
	assert.Equal(t, Stats{Mkdirs: 3, Chowns: 1, Chmods: 1, Visited: 1}, st)
	for _, p := range []string{base + "/a", base + "/a/b"} {
		u, g := owner(t, p)
		assert.Equal(t, [2]int{0, 0}, [2]int{u, g}, p)
		assert.Equal(t, uint32(0o755), mode(t, p), p)
	}
	u, g := owner(t, hp)
	assert.Equal(t, [2]int{hostU, hostG}, [2]int{u, g})
	assert.Equal(t, uint32(0o750), mode(t, hp))

	st, err = Apply(spec)
	require.NoError(t, err)
	assert.Equal(t, Stats{Visited: 1}, st, "a converged volume costs no write")
	plan, err = Observe(spec)
	require.NoError(t, err)
	assert.True(t, plan.Empty())
	assert.Empty(t, commands(plan))
}

func TestApplyWithoutModeLeavesTopModeAndMakesNew0755(t *testing.T) {
	needRoot(t)
	hp := filepath.Join(t.TempDir(), "vol")
	st, err := Apply(Spec{HostPath: hp, UID: hostU, GID: hostG})
	require.NoError(t, err)
	assert.Equal(t, 0, st.Chmods)
	assert.Equal(t, uint32(0o755), mode(t, hp))
	require.NoError(t, os.Chmod(hp, 0o700))
	st, err = Apply(Spec{HostPath: hp, UID: hostU, GID: hostG})
	require.NoError(t, err)
	assert.Equal(t, Stats{Visited: 1}, st)
	assert.Equal(t, uint32(0o700), mode(t, hp), "no mode given: the existing mode is kept")
}

func TestApplyChownsOnlyDifferingEntries(t *testing.T) {
	needRoot(t)
	hp := filepath.Join(t.TempDir(), "vol")
	for _, f := range []string{"a", "b", "d/c", "d/e/f", "g"} {
		write(t, filepath.Join(hp, f))
	}
	// A volume adopted from another owner: the top is root's. Already owned:
	// a and d/e/f. Differing: the top, b, d, d/c, d/e, g.
	for _, p := range []string{hp + "/a", hp + "/d/e/f"} {
		require.NoError(t, os.Lchown(p, hostU, hostG))
	}
	spec := Spec{HostPath: hp, UID: hostU, GID: hostG, Mode: os.ModeSetgid | 0o770, HasMode: true}

	plan, err := Observe(spec)
	require.NoError(t, err)
	st, err := Apply(spec)
	require.NoError(t, err)
	assert.Equal(t, 6, st.Chowns)
	assert.Equal(t, 1, st.Chmods)
	assert.Equal(t, 8, st.Visited) // top, a, b, d, d/c, d/e, d/e/f, g
	assert.Equal(t, plan.Chown, st.Chowns, "the plan counts what Apply then does")
	assert.Equal(t, plan.Visited, st.Visited)
	assert.Equal(t, uint32(0o2770), mode(t, hp))
	assert.Equal(t, uint32(0o644), mode(t, hp+"/b"), "only the top directory's mode is set")

	before := snapshot(t, hp)
	st, err = Apply(spec)
	require.NoError(t, err)
	assert.Equal(t, Stats{Visited: 1}, st, "second run: zero chown, zero chmod, only the top looked at")
	assert.Equal(t, before, snapshot(t, hp), "second run: no ctime changed")
}

func TestConvergedVolumeLeavesTheContainersFilesAlone(t *testing.T) {
	needRoot(t)
	hp := filepath.Join(t.TempDir(), "vol")
	write(t, hp+"/data")
	spec := Spec{HostPath: hp, UID: hostU, GID: hostG}
	_, err := Apply(spec)
	require.NoError(t, err)
	// Container root (host 100000) and a service user write files of their own.
	write(t, hp+"/by-root")
	require.NoError(t, os.Lchown(hp+"/by-root", 100000, 100000))
	write(t, hp+"/by-postgres")
	require.NoError(t, os.Lchown(hp+"/by-postgres", 100999, 100999))

	plan, err := Observe(spec)
	require.NoError(t, err)
	assert.True(t, plan.Empty(), "a volume whose top is already owned is converged")
	st, err := Apply(spec)
	require.NoError(t, err)
	assert.Zero(t, st.Chowns)
	u, _ := owner(t, hp+"/by-root")
	assert.Equal(t, 100000, u)
	u, _ = owner(t, hp+"/by-postgres")
	assert.Equal(t, 100999, u)
}

func TestObserveChangesNothing(t *testing.T) {
	needRoot(t)
	hp := filepath.Join(t.TempDir(), "vol")
	write(t, hp+"/sub/file")
	require.NoError(t, os.Symlink("/etc", hp+"/etc"))
	before := snapshot(t, hp)
	plan, err := Observe(Spec{HostPath: hp, UID: hostU, GID: hostG, Mode: 0o700, HasMode: true})
	require.NoError(t, err)
	assert.Equal(t, 4, plan.Chown)
	assert.True(t, plan.Chmod)
	assert.Equal(t, before, snapshot(t, hp))
}

func TestPlanCommands(t *testing.T) {
	needRoot(t)
	base := t.TempDir()
	hp := base + "/new/vol"
	plan, err := Observe(Spec{HostPath: hp, UID: hostU, GID: hostG, Mode: 0o750, HasMode: true})
	require.NoError(t, err)
	assert.Equal(t, [][]string{
		{"mkdir", "-m", "0755", base + "/new"},
		{"mkdir", "-m", "0755", hp},
		{"chown", "-R", "--no-dereference", "101000:101000", hp},
		{"chmod", "0750", hp},
	}, commands(plan))
	ch := plan.Changes()
	assert.Equal(t, "1 entry not owned by 101000:101000", ch[2].Why)
	assert.Equal(t, "mode is 0755, want 0750", ch[3].Why)
}

func TestHostPathNotADirectory(t *testing.T) {
	needRoot(t)
	base := t.TempDir()
	write(t, base+"/file")
	for _, hp := range []string{base + "/file", base + "/file/vol"} {
		_, err := Observe(Spec{HostPath: hp, UID: hostU, GID: hostG})
		require.ErrorContains(t, err, base+"/file exists and is not a directory")
		_, err = Apply(Spec{HostPath: hp, UID: hostU, GID: hostG})
		require.ErrorContains(t, err, "is not a directory")
	}
	u, _ := owner(t, base+"/file")
	assert.Equal(t, 0, u)
}

// commands is the descriptive command line of each planned change.
func commands(p *Plan) [][]string {
	var out [][]string
	for _, c := range p.Changes() {
		out = append(out, c.Argv)
	}
	return out
}
