package fakerun

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// recorder is a testing.TB that keeps failures instead of failing.
type recorder struct {
	testing.TB
	errs     []string
	cleanups []func()
}

func (r *recorder) Errorf(format string, args ...any) { r.errs = append(r.errs, format) }
func (r *recorder) Cleanup(f func())                  { r.cleanups = append(r.cleanups, f) }
func (r *recorder) done() {
	for _, f := range r.cleanups {
		f()
	}
}

func run(r *Runner, argv ...string) (runner.Result, error) {
	return r.Run(context.Background(), runner.Cmd{Argv: argv})
}

func TestInOrderOnceAgainAndFailures(t *testing.T) {
	rec := &recorder{TB: t}
	r := New(rec, Call{Argv: "pct start 1"}, Call{Argv: "pct exec 1 .*", Match: true, Exit: 2, Stderr: "no"},
		Call{Argv: "pct list", Again: true, Stdout: "x"})
	out, err := run(r, "pct", "list")
	require.NoError(t, err)
	assert.Equal(t, "x", string(out.Stdout))
	_, err = run(r, "pct", "start", "1")
	require.NoError(t, err)
	_, err = run(r, "pct", "exec", "1", "--", "true")
	var re *runner.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 2, re.ExitCode)
	assert.Empty(t, rec.errs)

	_, err = run(r, "pct", "destroy", "1")
	assert.Error(t, err)
	assert.Len(t, rec.errs, 1, "an unexpected call fails at once")
	rec.done()
	assert.Len(t, rec.errs, 1, "every expected call was made")
}

func TestOutOfOrderAndUnusedFail(t *testing.T) {
	rec := &recorder{TB: t}
	r := New(rec, Call{Argv: "a"}, Call{Argv: "b"}, Call{Argv: "c", Again: true})
	_, err := run(r, "b")
	assert.Error(t, err, "b before a")
	rec.done()
	assert.Len(t, rec.errs, 4, "out of order, then a, b and c never made")
}
