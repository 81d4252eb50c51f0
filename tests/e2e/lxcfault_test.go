package e2e

// Fault injection on real LXC (issue 7): the lxc-* tools are replaced, first
// on PATH, by testdata/lxcfault/lxc-wrap.sh, which fails one chosen
// state-changing call. The run must fail naming the step and the tool, and
// the next run must converge to the end state of a clean run.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// faultPath is a PATH folder of lxc-* links to the wrapper, and the folder
// where the wrapper keeps its call log and counter.
type faultPath struct {
	tb   testing.TB
	bin  string
	data string
	real string
}

// newFaultPath links every lxc-* tool found next to lxc-start to the wrapper.
func newFaultPath(tb testing.TB, h *lxcHost) *faultPath {
	start, err := exec.LookPath("lxc-start")
	require.NoError(tb, err)
	wrap, err := filepath.Abs("../../testdata/lxcfault/lxc-wrap.sh")
	require.NoError(tb, err)
	f := &faultPath{tb: tb, bin: filepath.Join(h.dir, "faultbin"), data: filepath.Join(h.dir, "faultdata"), real: filepath.Dir(start)}
	require.NoError(tb, os.MkdirAll(f.bin, 0o755))
	require.NoError(tb, os.MkdirAll(f.data, 0o755))
	tools, err := filepath.Glob(filepath.Join(f.real, "lxc-*"))
	require.NoError(tb, err)
	for _, t := range tools {
		require.NoError(tb, os.Symlink(wrap, filepath.Join(f.bin, filepath.Base(t))))
	}
	return f
}

// env starts a fresh count and selects the wrapper, failing call at (0: none).
func (f *faultPath) env(at int) []string {
	_ = os.Remove(filepath.Join(f.data, "count"))
	_ = os.Remove(filepath.Join(f.data, "calls.log"))
	return []string{"PATH=" + f.bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"PHX_LXCFAULT_REAL=" + f.real, "PHX_LXCFAULT_DIR=" + f.data, "PHX_LXCFAULT_AT=" + itoa(at)}
}

// calls are the state-changing calls of the last run, as "tool args".
func (f *faultPath) calls() []string {
	data, err := os.ReadFile(filepath.Join(f.data, "calls.log"))
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(f.tb, err)
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		_, call, _ := strings.Cut(l, " ")
		out = append(out, call)
	}
	return out
}

// touches reports whether an lxc call acts on container ctid.
func touches(call string, ctid int) bool {
	return strings.Contains(call, " -n "+itoa(ctid)+" ") || strings.Contains(call, " -N "+itoa(ctid)+" ") ||
		strings.HasSuffix(call, " -n "+itoa(ctid))
}

func TestLXCFaultAtEveryCallIsFinishedByTheNextRun(t *testing.T) {
	h := newLXCHost(t)
	const tpl, app = 9150, 9151
	cfg := h.fleet(h.appFleet(tpl, app))
	f := newFaultPath(t, h)
	vol := filepath.Join(h.vols, "data")

	res := h.run(cfg, nil, f.env(0)...)
	require.Equal(t, false, res["failed"], res["msg"])
	all := f.calls()
	want := h.endState(tpl, app)
	nTpl := len(all)
	for i, c := range all {
		if touches(c, app) {
			nTpl = i
			break
		}
	}
	require.GreaterOrEqual(t, nTpl, 3, "the template's calls: %q", all)

	// The clone alone, from a converged template: the calls to fail.
	h.destroy(itoa(app))
	require.NoError(t, os.RemoveAll(vol))
	res = h.run(cfg, nil, f.env(0)...)
	require.Equal(t, false, res["failed"], res["msg"])
	clone := f.calls()
	require.Equal(t, want, h.endState(tpl, app), "the clone rebuilt alone is the clean one")
	require.Equal(t, maskRunFolders(all[nTpl:]), maskRunFolders(clone), "the clone's calls do not depend on the template being new")
	t.Logf("%d state-changing lxc calls: %d for the template, %d for the clone", len(all), nTpl, len(clone))

	type point struct {
		n     int
		call  string
		reset func()
	}
	var points []point
	// Every template call while they are few (a busybox template makes 6),
	// else the first, the middle and the last.
	tplN := []int{1, (nTpl + 1) / 2, nTpl}
	if nTpl <= 8 {
		tplN = tplN[:0]
		for n := 1; n <= nTpl; n++ {
			tplN = append(tplN, n)
		}
	}
	for _, n := range tplN {
		points = append(points, point{n, all[n-1], h.destroyAll})
	}
	for i, c := range clone {
		points = append(points, point{i + 1, c, func() { h.destroy(itoa(app)) }})
	}
	for _, p := range points {
		p.reset()
		require.NoError(t, os.RemoveAll(vol))
		what := fmt.Sprintf("failed call %d (%s)", p.n, p.call)
		res := h.run(cfg, nil, f.env(p.n)...)
		require.Equal(t, true, res["failed"], "%s: the run must fail", what)
		msg := fmt.Sprint(res["msg"])
		t.Logf("%s: %s", what, msg)
		assert.Contains(t, msg, "failed at step", what)
		assert.Contains(t, msg, strings.Fields(p.call)[0]+": injected failure", "%s: the message carries the tool's stderr", what)

		res = h.run(cfg, nil, f.env(0)...)
		require.Equal(t, false, res["failed"], "%s: the next run failed: %v", what, res["msg"])
		assert.Equal(t, want, h.endState(tpl, app), "%s: end state differs from a clean run", what)
		res = h.run(cfg, nil, f.env(0)...)
		assert.Equal(t, false, res["changed"], "%s: the run after that changes nothing", what)
		assert.Empty(t, f.calls(), "%s: the run after that makes no state-changing call", what)
	}
}

// withCmdline lists the host processes whose command line is exactly argv.
func withCmdline(argv ...string) []string {
	want := strings.Join(argv, "\x00") + "\x00"
	var out []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		data, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err == nil && string(data) == want {
			out = append(out, e.Name())
		}
	}
	return out
}

// An application script that never exits inside a real container is
// killed at command_timeout, with what it started, and the failure names
// the command and the timeout.
func TestLXCHungApplicationScriptIsKilledAtTheTimeout(t *testing.T) {
	h := newLXCHost(t)
	const ct = 9152
	h.write("scripts/hang.sh", "#!/bin/sh\nsleep 3599 &\nwait\n", 0o755)
	cfg := h.fleet(map[int]map[string]any{ct: {"name": "hang", "memory_mb": 128, "cores": 1, "template": "lxc:busybox",
		"unprivileged": true, "application_script": "hang.sh"}})
	cmd := h.command(cfg, map[string]any{"command_timeout": 20})
	var stdout strings.Builder
	cmd.Stdout = &stdout
	require.NoError(t, cmd.Start())
	var seen []string
	for i := 0; i < 400 && len(seen) == 0; i++ {
		time.Sleep(50 * time.Millisecond)
		seen = withCmdline("sleep", "3599")
	}
	_ = cmd.Wait()
	require.NotEmpty(t, seen, "the script's sleep was seen running from the host")
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout.String()), &res), stdout.String())
	require.Equal(t, true, res["failed"])
	msg := fmt.Sprint(res["msg"])
	t.Log(msg)
	assert.Contains(t, msg, "CT 9152 failed at step application")
	assert.Contains(t, msg, "timed out after 20s")
	script := regexp.MustCompile(`/tmp/phoenix_run\.[A-Za-z0-9]{10}/hang\.sh`).FindString(msg)
	assert.NotEmpty(t, script, "the failure names the script in its fresh run folder")
	assert.Empty(t, withCmdline("sleep", "3599"), "the script's sleep is gone")
	assert.Empty(t, withCmdline("/bin/sh", script, itoa(ct)), "the script is gone")
}

// runFolders are the random names mktemp gives the run folder (coreutils
// fills all ten X's, busybox the last six).
var runFolders = regexp.MustCompile(`/tmp/phoenix_run\.[A-Za-z0-9]{10}`)

// maskRunFolders replaces each run folder's random name by the template.
func maskRunFolders(calls []string) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = runFolders.ReplaceAllString(c, "/tmp/phoenix_run.XXXXXXXXXX")
	}
	return out
}
