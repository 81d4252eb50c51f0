package e2e

// Reliability on the pct emulator (issue 7): a run SIGKILLed after any
// state-changing pct call is finished by the next run, and a command that
// never ends is killed at command_timeout with its process group.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// killingPct puts a pct in front of the emulator that counts the
// state-changing calls (the emulator's read-only ones pass uncounted) and,
// once the call numbered $PHX_KILL_AT has run, SIGKILLs the module that
// started it. Other pct calls of the walk may still be running then (they
// die with the module, but may finish first). It returns the env that
// selects the wrapper.
func (h *host) killingPct() string {
	counter := filepath.Join(h.dir, "kill.count")
	h.write("pctkill", fmt.Sprintf(`#!/bin/sh
case "$1" in list|status|config|pending|listsnapshot) exec %[1]s "$@";; esac
exec 9>>%[2]s.lock
flock 9
n=$(( $(cat %[2]s 2>/dev/null || echo 0) + 1 ))
echo $n > %[2]s
flock -u 9
%[1]s "$@"
rc=$?
if [ "$n" = "$PHX_KILL_AT" ]; then kill -KILL $PPID; fi
exit $rc
`, filepath.Join(binDir, "pct"), counter), 0o755)
	return "PHOENIX_LXC_PCT=" + filepath.Join(h.dir, "pctkill")
}

// A fleet converge SIGKILLed after each of its state-changing pct calls in
// turn, one container at a time and four at a time: the next run succeeds
// and leaves the same conf files as a clean run, and the run after that
// changes nothing.
func TestKilledAfterEveryMutationIsFinishedByTheNextRun(t *testing.T) {
	clean := newHost(t)
	require.Equal(t, false, clean.run(map[string]any{"config_file": clean.fleet()})["failed"])
	total := len(clean.mutations())
	want := maskVols(clean.confs(), clean.vols)
	require.Greater(t, total, 10)
	t.Logf("%d kill points", total)
	for _, parallel := range []int{1, 4} {
		for k := 1; k <= total; k++ {
			killedAt(t, k, parallel, want)
		}
	}
}

func killedAt(t *testing.T, k, parallel int, want map[string]string) {
	h := newHost(t)
	cfg := h.fleet()
	cmd, wait := h.start("killed", map[string]any{"config_file": cfg, "parallel": parallel}, h.killingPct(), "PHX_KILL_AT="+itoa(k))
	_, stdout, _ := wait()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	last := h.mutations()
	require.True(t, ws.Signaled(), "kill %d: the run was killed (it printed %s)", k, stdout)
	if parallel == 1 {
		require.Len(t, last, k, "kill %d: no state-changing call after the kill", k)
	} else {
		require.GreaterOrEqual(t, len(last), k, "kill %d", k)
	}
	what := fmt.Sprintf("parallel %d, killed after call %d (%s)", parallel, k, last[k-1])
	h.resetLog()
	res := h.run(map[string]any{"config_file": cfg})
	require.Equal(t, false, res["failed"], "%s: the next run failed: %v", what, res["msg"])
	assert.Equal(t, want, maskVols(h.confs(), h.vols), "%s: same confs as a clean run", what)
	res = h.run(map[string]any{"config_file": cfg})
	require.Equal(t, false, res["failed"], "%s: third run: %v", what, res["msg"])
	assert.Equal(t, false, res["changed"], "%s: the third run changes nothing: %v", what, actions(res))
}

// gone reports whether pid no longer runs (absent, or a zombie waiting for
// a reaper that is not its old parent).
func gone(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	return len(f) > 0 && (f[0] == "Z" || f[0] == "X")
}

// readPids waits up to a second for file to hold pids, one a line.
func readPids(t *testing.T, file string) []int {
	var pids []int
	for i := 0; i < 20 && len(pids) == 0; i++ {
		data, _ := os.ReadFile(file)
		for _, l := range strings.Fields(string(data)) {
			p, err := strconv.Atoi(l)
			require.NoError(t, err, "%s: %q", file, data)
			pids = append(pids, p)
		}
		if len(pids) == 0 {
			time.Sleep(50 * time.Millisecond)
		}
	}
	return pids
}

// A `pct start` that never returns is killed at command_timeout, with the
// child it started (same process group), and the failure names the step,
// the command and the timeout.
func TestHungPctStartIsKilledAtTheTimeout(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	pids := filepath.Join(h.dir, "hung.pids")
	h.write("pcthang", fmt.Sprintf(`#!/bin/sh
if [ "$1" = start ]; then
	sleep 3600 &
	echo $$ $! > %s
	wait
fi
exec %s "$@"
`, pids, filepath.Join(binDir, "pct")), 0o755)
	start := time.Now()
	res := h.run(map[string]any{"config_file": cfg, "command_timeout": 2}, "PHOENIX_LXC_PCT="+filepath.Join(h.dir, "pcthang"))
	t.Logf("run took %v: %v", time.Since(start).Round(time.Millisecond), res["msg"])
	require.Equal(t, true, res["failed"])
	msg := fmt.Sprint(res["msg"])
	assert.Contains(t, msg, "CT 900 failed at step")
	assert.Contains(t, msg, "timed out after 2s")
	assert.Contains(t, msg, "pcthang start 900")
	got := readPids(t, pids)
	require.Len(t, got, 2, "the wrapper wrote its pid and its sleep's")
	for _, p := range got {
		assert.True(t, gone(p), "pid %d of the hung command is gone", p)
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
}

// An application script that never exits is killed at command_timeout,
// and the failure names the script's command line.
func TestHungApplicationScriptIsKilledAtTheTimeout(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	pids := filepath.Join(h.dir, "app.pids")
	h.write("scripts/app.sh", "#!/bin/sh\nsleep 3600 &\necho $$ $! > "+pids+"\nwait\n", 0o755)
	res := h.run(map[string]any{"config_file": cfg, "command_timeout": 2})
	require.Equal(t, true, res["failed"])
	msg := fmt.Sprint(res["msg"])
	assert.Contains(t, msg, "CT 901 failed at step application")
	assert.Contains(t, msg, "timed out after 2s")
	assert.Regexp(t, `exec 901 --keep-env 0 -- /tmp/phoenix_run\.[A-Za-z0-9]{10}/app\.sh`, msg, "the script, in its fresh run folder")
	got := readPids(t, pids)
	require.Len(t, got, 2, "the script wrote its pid and its sleep's")
	for _, p := range got {
		assert.True(t, gone(p), "pid %d of the hung script is gone", p)
		_ = syscall.Kill(p, syscall.SIGKILL)
	}

	// With the script fixed, the next run finishes the job.
	h.write("scripts/app.sh", "#!/bin/sh\necho app ran > \"$PCTEMU_CT_ROOT/app.out\"\n", 0o755)
	res = h.run(map[string]any{"config_file": cfg, "command_timeout": 2})
	require.Equal(t, false, res["failed"], res["msg"])
	_, err := os.Stat(filepath.Join(h.root, "var/lib/lxc/901/rootfs/app.out"))
	assert.NoError(t, err)
}

// While another process holds a container's run lock, a run waits
// lock_timeout, then fails saying so, having changed nothing; once the lock
// is free the same run converges.
func TestLockHeldElsewhereFailsAfterLockTimeout(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	require.NoError(t, os.MkdirAll(h.locks, 0o755))
	lock, err := os.OpenFile(filepath.Join(h.locks, "900.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	require.NoError(t, err)
	defer lock.Close()
	require.NoError(t, syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB))

	start := time.Now()
	res := h.run(map[string]any{"config_file": cfg, "lock_timeout": 1})
	took := time.Since(start)
	require.Equal(t, true, res["failed"])
	assert.Contains(t, res["msg"], "CT 900 is being converged by another run")
	assert.Contains(t, res["msg"], "raise lock_timeout")
	assert.Empty(t, h.mutations(), "nothing changed while waiting")
	t.Logf("failed after %v: %v", took.Round(time.Millisecond), res["msg"])

	require.NoError(t, syscall.Flock(int(lock.Fd()), syscall.LOCK_UN))
	res = h.run(map[string]any{"config_file": cfg, "lock_timeout": 1})
	require.Equal(t, false, res["failed"], res["msg"])
}

// A health check that never passes is tried retries+1 times, interval
// apart, then fails the run naming the check.
func TestFailingHealthCheckIsBounded(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	var doc map[string]map[string]map[string]any
	data, err := os.ReadFile(cfg)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &doc))
	doc["lxc_configs"]["901"]["health_check"] = map[string]any{"command": "false", "retries": 2, "interval": 1}
	data, _ = json.Marshal(doc)
	require.NoError(t, os.WriteFile(cfg, data, 0o644))

	res := h.run(map[string]any{"config_file": cfg})
	require.Equal(t, true, res["failed"])
	assert.Contains(t, res["msg"], "CT 901 failed at step")
	assert.Contains(t, res["msg"], "health_check failed after 3 tries")
	tries := 0
	for _, c := range h.pctCalls() {
		if c == "exec 901 --keep-env 0 -- false" {
			tries++
		}
	}
	assert.Equal(t, 3, tries, "retries 2: three tries, no more: %q", h.pctCalls())
}
