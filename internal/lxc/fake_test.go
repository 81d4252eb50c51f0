package lxc

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// fakeRunner answers commands by their argv prefix and records every call;
// a command it has no answer for fails the test.
type fakeRunner struct {
	t       *testing.T
	mu      sync.Mutex
	answers map[string]string // joined argv prefix -> stdout
	calls   [][]string
	stdins  [][]byte
}

func newFake(t *testing.T) *fakeRunner {
	return &fakeRunner{t: t, answers: map[string]string{}}
}

func (f *fakeRunner) on(prefix, stdout string) { f.answers[prefix] = stdout }

func (f *fakeRunner) Run(_ context.Context, c runner.Cmd) (runner.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c.Argv)
	f.stdins = append(f.stdins, c.Stdin)
	line := strings.Join(c.Argv, " ")
	for p, out := range f.answers {
		if strings.HasPrefix(line, p) {
			return runner.Result{Stdout: []byte(out)}, nil
		}
	}
	f.t.Errorf("unexpected command: %s", line)
	return runner.Result{ExitCode: 1}, &runner.Error{Argv: c.Argv, ExitCode: 1, Stderr: "unexpected"}
}

// countingRunner passes commands on and counts them.
type countingRunner struct {
	next  runner.Runner
	mu    sync.Mutex
	calls [][]string
	last  runner.Result // the last command's result, for reading exec output
}

func (c *countingRunner) Run(ctx context.Context, cmd runner.Cmd) (runner.Result, error) {
	res, err := c.next.Run(ctx, cmd)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, cmd.Argv)
	c.last = res
	return res, err
}

func (c *countingRunner) reset() [][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.calls
	c.calls = nil
	return out
}
