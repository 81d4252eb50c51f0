package pve

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// emuBin is the pct emulator built once for this package's tests; empty
// when it does not build (yet), and emuSkip says why.
var emuBin, emuSkip string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pve-test-emu-")
	if err == nil {
		_, file, _, _ := runtime.Caller(0)
		repo := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "pct"), "./tests/pctemu")
		cmd.Dir = repo
		if out, berr := cmd.CombinedOutput(); berr != nil {
			emuSkip = fmt.Sprintf("the pct emulator (tests/pctemu) does not build: %v\n%s", berr, out)
		} else {
			emuBin = filepath.Join(dir, "pct")
		}
	} else {
		emuSkip = err.Error()
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// emu is one emulated Proxmox host: its state folder, its invocation log,
// and a backend pointed at both.
type emu struct {
	t    testing.TB
	root string
	log  string
	b    *Backend
	ctx  context.Context
}

func newEmu(t testing.TB) *emu {
	t.Helper()
	if emuBin == "" {
		t.Skip(emuSkip)
	}
	root := t.TempDir()
	log := filepath.Join(t.TempDir(), "pct.log")
	for _, d := range []string{"etc/pve/lxc", "etc/pve/firewall", "var/lib/lxc", "run/lock/lxc", "var/lib/vz/template/cache", "dev", "sys/class/net/vmbr0"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	require.NoError(t, os.WriteFile(filepath.Join(root, "sys/class/net/vmbr0/mtu"), []byte("1500\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "var/lib/vz/template/cache/debian-12-standard_12.7-1_amd64.tar.zst"), []byte("tar"), 0o644))
	r := runner.Exec{Env: append(os.Environ(), "PCTEMU_ROOT="+root, "PCTEMU_LOG="+log, "PCTEMU_NODE=pve")}
	b := New(r, DefaultPct, "/")
	b.C.Pct, b.C.Root = emuBin, root
	return &emu{t: t, root: root, log: log, b: b, ctx: context.Background()}
}

// calls returns the pct invocations logged so far, one per line.
func (e *emu) calls() []string {
	data, err := os.ReadFile(e.log)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(e.t, err)
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

func (e *emu) resetLog() { _ = os.Remove(e.log) }

const tmpl = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
