package lxc

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
	"github.com/stretchr/testify/require"
)

// realBackend is a backend on real LXC with its own LXC path, or a skip:
// it needs root, the lxc tools and PHOENIX_LXC_REAL not "0". Every
// container the test makes is killed and destroyed when it ends, pass or
// fail.
func realBackend(t *testing.T, ctids ...int) (*Backend, *countingRunner) {
	t.Helper()
	if os.Getenv("PHOENIX_LXC_REAL") == "0" {
		t.Skip("PHOENIX_LXC_REAL=0")
	}
	if os.Geteuid() != 0 {
		t.Skip("real LXC tests need root")
	}
	if _, err := exec.LookPath("lxc-start"); err != nil {
		t.Skip("lxc-start not installed")
	}
	ensureGrant(t, "root:100000:65536")
	// Unprivileged containers need every parent of their directory
	// traversable by the container's root (host uid 100000).
	dir, err := os.MkdirTemp("/var/lib", "phoenix-lxc-test-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o755))
	cr := &countingRunner{next: runner.Exec{Timeout: 2 * time.Minute}}
	b := New(cr, dir)
	t.Cleanup(func() {
		for _, id := range ctids {
			n := strconv.Itoa(id)
			_ = exec.Command("lxc-stop", "-P", dir, "-n", n, "-k").Run()
			_ = exec.Command("lxc-destroy", "-P", dir, "-n", n, "-s", "-f").Run()
		}
		_ = os.RemoveAll(dir)
	})
	return b, cr
}

// ensureGrant adds line to /etc/subuid and /etc/subgid when absent.
func ensureGrant(t *testing.T, line string) {
	t.Helper()
	for _, f := range []string{"/etc/subuid", "/etc/subgid"} {
		data, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatalf("read %s: %v", f, err)
		}
		if strings.Contains("\n"+string(data)+"\n", "\n"+line+"\n") {
			continue
		}
		if len(data) > 0 && !strings.HasSuffix(string(data), "\n") {
			line = "\n" + line
		}
		fh, err := os.OpenFile(f, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		require.NoError(t, err)
		_, err = fh.WriteString(line + "\n")
		require.NoError(t, err)
		require.NoError(t, fh.Close())
	}
}

// do runs actions and logs how long each took.
func do(t *testing.T, acts ...backend.Action) {
	t.Helper()
	for _, a := range acts {
		start := time.Now()
		require.NoError(t, a.Do(context.Background()), runner.Quote(a.Argv))
		t.Logf("%-8s %6.0f ms  %s", a.Name, float64(time.Since(start).Microseconds())/1000, runner.Quote(a.Argv))
	}
}

// run execs argv in the container and returns its trimmed stdout.
func run(t *testing.T, b *Backend, cr *countingRunner, ctid int, argv ...string) string {
	t.Helper()
	require.NoError(t, b.Exec(ctid, argv, nil).Do(context.Background()), strings.Join(argv, " "))
	return strings.TrimSpace(string(cr.last.Stdout))
}

// observe reads one container.
func observe(t *testing.T, b *Backend, ctid int) *backend.State {
	t.Helper()
	m, err := b.Observe(context.Background(), []int{ctid})
	require.NoError(t, err)
	return m[ctid]
}

// hostOwner is "uid:gid" of a host path, not following symlinks.
func hostOwner(t *testing.T, p string) string {
	t.Helper()
	out, err := exec.Command("stat", "-c", "%u:%g", p).Output()
	require.NoError(t, err, p)
	return strings.TrimSpace(string(out))
}

// mkOwnedDir makes dir/name owned by uid:gid with one file inside.
func mkOwnedDir(t *testing.T, dir string, uid, gid int) string {
	t.Helper()
	d := filepath.Join(dir)
	require.NoError(t, os.MkdirAll(d, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(d, "owned"), []byte("x"), 0o644))
	for _, p := range []string{d, filepath.Join(d, "owned")} {
		require.NoError(t, os.Lchown(p, uid, gid))
	}
	return d
}
