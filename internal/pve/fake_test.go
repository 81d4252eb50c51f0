package pve

import (
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/pct"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/testkit/fakerun"
)

// call is one expected pct command ("PCT" standing for the pct path) and
// its scripted outcome.
type call = fakerun.Call

// newFake is the strict fake runner (internal/testkit/fakerun): calls in
// the scripted order, anything else fails the test.
func newFake(t *testing.T, calls ...call) *fakerun.Runner {
	r := fakerun.New(t, calls...)
	r.Alias(pct.DefaultPct, "PCT")
	return r
}

// testClient is a client with the default pct path, reading under root.
func testClient(r runner.Runner, root string) *pct.Client {
	c := pct.NewClient(r, pct.DefaultPct, "/")
	c.Pct = pct.DefaultPct
	c.Root = root
	return c
}
