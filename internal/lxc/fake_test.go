package lxc

import (
	"context"
	"regexp"
	"sync"
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/testkit/fakerun"
)

// fakeRunner is the strict fake runner (internal/testkit/fakerun), with
// answers by argv prefix.
type fakeRunner struct{ *fakerun.Runner }

func newFake(t *testing.T) *fakeRunner { return &fakeRunner{fakerun.New(t)} }

// on answers every command starting with prefix with stdout (a later
// answer for the same prefix wins); each must be used at least once.
func (f *fakeRunner) on(prefix, stdout string) {
	f.Expect(fakerun.Call{Argv: regexp.QuoteMeta(prefix) + ".*", Match: true, Again: true, Stdout: stdout})
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
