// Package fakerun is the one fake of runner.Runner that tests use: strict,
// scripted, and checked at cleanup.
package fakerun

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// Call is one expected command and its scripted outcome.
type Call struct {
	// Argv is the command's argv joined with spaces, matched exactly; with
	// Match it is a regular expression the whole joined argv must match.
	Argv  string
	Match bool
	// Again lets the call answer any number of times, in any order (at
	// least once), the latest added first; other calls are answered once
	// each, in the order given.
	Again          bool
	Stdout, Stderr string
	Exit           int    // non-zero: the command fails with this exit code
	Stdin          string // when set, the stdin the command must get
}

// Runner answers commands from its expected calls. A command no call
// expects, or one that comes before the calls expected ahead of it, fails
// the test at once; a call never made fails it at cleanup.
type Runner struct {
	t       testing.TB
	mu      sync.Mutex
	want    []*expect
	aliases []string // old, new pairs applied to the joined argv before matching
	calls   [][]string
	stdins  [][]byte
}

type expect struct {
	Call
	re   *regexp.Regexp
	used int
}

// New is a Runner expecting calls; more can be added with Expect.
func New(t testing.TB, calls ...Call) *Runner {
	r := &Runner{t: t}
	r.Expect(calls...)
	t.Cleanup(func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, e := range r.want {
			if e.used == 0 {
				t.Errorf("fakerun: expected call not made: %s", e.Argv)
			}
		}
	})
	return r
}

// Expect adds expected calls after those already there.
func (r *Runner) Expect(calls ...Call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range calls {
		e := &expect{Call: c}
		if c.Match {
			e.re = regexp.MustCompile("^(?:" + c.Argv + ")$")
		}
		r.want = append(r.want, e)
	}
}

// Alias writes name for every path in a joined argv before matching, so
// that expectations can say "PCT" for a temporary pct path.
func (r *Runner) Alias(path, name string) { r.aliases = append(r.aliases, path, name) }

// Calls are the argvs of every command run so far, in order.
func (r *Runner) Calls() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]string(nil), r.calls...)
}

// Stdins are the stdins of every command run so far, in order.
func (r *Runner) Stdins() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.stdins...)
}

func (e *expect) matches(line string) bool {
	if e.re != nil {
		return e.re.MatchString(line)
	}
	return e.Argv == line
}

// Run answers c from the first call expected in order that is not yet
// made, or from an Again call.
func (r *Runner) Run(_ context.Context, c runner.Cmd) (runner.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c.Argv)
	r.stdins = append(r.stdins, c.Stdin)
	line := strings.Join(c.Argv, " ")
	if len(r.aliases) > 0 {
		line = strings.NewReplacer(r.aliases...).Replace(line)
	}
	var next *expect // the first once-only call not yet made
	for _, e := range r.want {
		if !e.Again && e.used == 0 {
			next = e
			break
		}
	}
	var hit *expect
	switch {
	case next != nil && next.matches(line):
		hit = next
	default:
		for i := len(r.want) - 1; i >= 0; i-- { // a later Again call overrides an earlier one
			if e := r.want[i]; e.Again && e.matches(line) {
				hit = e
				break
			}
		}
	}
	if hit == nil {
		why := "unexpected call"
		if next != nil {
			why = fmt.Sprintf("unexpected call (the next expected is %q)", next.Argv)
		}
		r.t.Errorf("fakerun: %s: %s", why, line)
		return runner.Result{ExitCode: 255}, &runner.Error{Argv: c.Argv, ExitCode: 255, Stderr: why}
	}
	hit.used++
	if hit.Stdin != "" && hit.Stdin != string(c.Stdin) {
		r.t.Errorf("fakerun: stdin of %s: got %q, want %q", line, c.Stdin, hit.Stdin)
	}
	res := runner.Result{Stdout: []byte(hit.Stdout), Stderr: []byte(hit.Stderr), ExitCode: hit.Exit}
	if hit.Exit != 0 {
		return res, &runner.Error{Argv: c.Argv, ExitCode: hit.Exit, Stdout: hit.Stdout, Stderr: hit.Stderr,
			Inner: fmt.Errorf("exit status %d", hit.Exit)}
	}
	return res, nil
}
