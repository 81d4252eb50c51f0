package pct

import (
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/testkit/fakerun"
)

// call is one expected pct command ("PCT" standing for the pct path).
type call = fakerun.Call

// newFake is the strict fake runner, with the default pct path as "PCT".
func newFake(t *testing.T, calls ...call) *fakerun.Runner {
	r := fakerun.New(t, calls...)
	r.Alias(DefaultPct, "PCT")
	return r
}

// testClient is a client with the default pct path, reading under root.
func testClient(r runner.Runner, root string) *Client {
	c := NewClient(r, DefaultPct, "/")
	c.Root = root
	return c
}
