package pve

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/pct"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/testkit"

	"github.com/stretchr/testify/require"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// emuBin is the pct emulator built once for this package's tests; empty
// when it does not build (yet), and emuSkip says why.
var emuBin, emuSkip string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pve-test-emu-")
	if err == nil {
		if emuBin, err = testkit.Build(dir, "pct", "./tests/pctemu"); err != nil {
			emuSkip = fmt.Sprintf("the pct emulator (tests/pctemu) does not build: %v", err)
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
	t testing.TB
	*testkit.Node
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
	n, err := testkit.NewNode(t.TempDir())
	require.NoError(t, err)
	r := runner.Exec{Env: append(os.Environ(), append(n.Env(emuBin), "PCTEMU_NODE=pve")...)}
	b := New(r, pct.DefaultPct, "/")
	b.C.Pct, b.C.Root = emuBin, n.Root
	return &emu{t: t, Node: n, root: n.Root, log: n.Log, b: b, ctx: context.Background()}
}

// calls returns the pct invocations logged so far, one per line.
func (e *emu) calls() []string { return e.Calls() }

func (e *emu) resetLog() { e.ResetLog() }

const tmpl = testkit.Template
