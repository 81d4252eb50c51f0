package pve

import (
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/pct"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/testkit/fakerun"
)

// call is one expected pct command ("PCT" standing for the pct path) and
// its scripted outcome.
type call = fakerun.Call

// fakeClient is a pct client reading under root whose commands go to the
// strict fake runner (internal/testkit/fakerun): calls in the scripted
// order, anything else fails the test.
func fakeClient(t *testing.T, root string, calls ...call) *pct.Client {
	r := fakerun.New(t, calls...)
	r.Alias(pct.DefaultPct, "PCT")
	return pct.NewClient(r, pct.DefaultPct, root)
}
