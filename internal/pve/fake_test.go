package pve

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// call is one expected command and its scripted outcome.
type call struct {
	argv   string // space-joined argv, "PCT" standing for the pct path
	stdout string
	stderr string
	exit   int
	stdin  string // when set, the stdin the command must get
}

// fakeRunner is strict: calls must come in the scripted order, and any
// other call fails the test.
type fakeRunner struct {
	t     *testing.T
	mu    sync.Mutex
	calls []call
	got   []string
}

func newFake(t *testing.T, calls ...call) *fakeRunner {
	f := &fakeRunner{t: t, calls: calls}
	t.Cleanup(func() {
		if len(f.calls) > 0 {
			t.Errorf("expected calls not made: %v", f.calls)
		}
	})
	return f
}

func (f *fakeRunner) Run(_ context.Context, c runner.Cmd) (runner.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	line := strings.Join(c.Argv, " ")
	line = strings.Replace(line, "/usr/sbin/pct", "PCT", 1)
	f.got = append(f.got, line)
	if len(f.calls) == 0 {
		f.t.Errorf("unexpected call: %s", line)
		return runner.Result{}, &runner.Error{Argv: c.Argv, ExitCode: 255, Stderr: "unexpected"}
	}
	want := f.calls[0]
	f.calls = f.calls[1:]
	if want.argv != line {
		f.t.Errorf("call:\n got  %s\n want %s", line, want.argv)
	}
	if want.stdin != "" && want.stdin != string(c.Stdin) {
		f.t.Errorf("stdin of %s: got %q want %q", line, c.Stdin, want.stdin)
	}
	res := runner.Result{Stdout: []byte(want.stdout), Stderr: []byte(want.stderr), ExitCode: want.exit}
	if want.exit != 0 {
		return res, &runner.Error{Argv: c.Argv, ExitCode: want.exit, Stdout: want.stdout, Stderr: want.stderr,
			Inner: fmt.Errorf("exit status %d", want.exit)}
	}
	return res, nil
}

// testClient is a client with the default pct path, reading under root.
func testClient(r runner.Runner, root string) *Client {
	c := NewClient(r, DefaultPct, "/")
	c.Pct = DefaultPct
	c.Root = root
	return c
}
