package runner

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostile are arguments a shell would interpret; argv passes them as they are.
var hostile = []string{"a b", "it's", `say "hi"`, "$(touch pwned)", "`touch pwned2`", "x; touch pwned3", "|", "&&", "*", "~",
	"$HOME", "\\", "-n", "--", "", "new\nline", "tab\t", "'", `"`, "!", "#c", "é ☃"}

func TestArgvIsPassedVerbatim(t *testing.T) {
	argv := append([]string{"/usr/bin/printf", `%s\0`}, hostile...)
	res, err := Exec{}.Run(context.Background(), Cmd{Argv: argv, Env: []string{"HOME=/nowhere"}})
	require.NoError(t, err)
	got := strings.Split(strings.TrimSuffix(string(res.Stdout), "\x00"), "\x00")
	assert.Equal(t, hostile, got)
	entries, _ := os.ReadDir(".")
	for _, e := range entries {
		assert.NotContains(t, e.Name(), "pwned", "nothing was interpreted by a shell")
	}
}

func TestStdinAndEnvReachTheCommand(t *testing.T) {
	res, err := Exec{}.Run(context.Background(), Cmd{Argv: []string{"/bin/sh", "-c", `cat; printf %s "$PHX_T"`}, Stdin: []byte("root:pw\n"), Env: []string{"PHX_T=v 1"}})
	require.NoError(t, err)
	assert.Equal(t, "root:pw\nv 1", string(res.Stdout))
}

func TestFailureCarriesExitCodeAndStderr(t *testing.T) {
	argv := []string{"/bin/sh", "-c", "echo out; echo 'boom: no such thing' >&2; exit 3", "arg with space"}
	res, err := Exec{}.Run(context.Background(), Cmd{Argv: argv})
	var re *Error
	require.True(t, errors.As(err, &re), "%T", err)
	assert.Equal(t, 3, re.ExitCode)
	assert.Equal(t, 3, res.ExitCode)
	assert.Equal(t, "boom: no such thing\n", re.Stderr)
	assert.Equal(t, "out\n", re.Stdout)
	assert.Equal(t, argv, re.Argv)
	assert.Contains(t, err.Error(), "exit 3")
	assert.Contains(t, err.Error(), "boom: no such thing")
	assert.Contains(t, err.Error(), "'arg with space'", "the command line is printed pasteable")

	_, err = Exec{}.Run(context.Background(), Cmd{Argv: []string{"/nonexistent/tool", "x"}})
	require.True(t, errors.As(err, &re))
	assert.Equal(t, -1, re.ExitCode)
	assert.Contains(t, err.Error(), "could not run: /nonexistent/tool x")

	_, err = Exec{}.Run(context.Background(), Cmd{})
	assert.ErrorContains(t, err, "empty argv")
}

// A command that never exits is killed at its timeout with everything it
// started (its process group), and the error says so.
func TestTimeoutKillsTheProcessGroup(t *testing.T) {
	pids := filepath.Join(t.TempDir(), "pids")
	script := `sleep 100 & echo $! > ` + pids + `; echo $$ >> ` + pids + `; sleep 100`
	_, err := Exec{}.Run(context.Background(), Cmd{Argv: []string{"/bin/sh", "-c", script}, Timeout: 300 * time.Millisecond})
	var re *Error
	require.True(t, errors.As(err, &re), "%v", err)
	assert.Equal(t, 300*time.Millisecond, re.TimedOut)
	assert.Contains(t, err.Error(), "timed out after 300ms")
	assert.Contains(t, err.Error(), "/bin/sh -c")
	data, rerr := os.ReadFile(pids)
	require.NoError(t, rerr)
	lines := strings.Fields(string(data))
	require.Len(t, lines, 2, "the background sleep and the shell")
	for _, l := range lines {
		pid, _ := strconv.Atoi(l)
		assert.True(t, gone(pid), "process %d survived the timeout", pid)
	}
}

// The context's cancellation kills the group too (a run interrupted by Ansible).
func TestCancelKillsTheProcessGroup(t *testing.T) {
	pids := filepath.Join(t.TempDir(), "pids")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for {
			if data, _ := os.ReadFile(pids); strings.Count(string(data), "\n") >= 1 {
				cancel()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	_, err := Exec{Timeout: time.Minute}.Run(ctx, Cmd{Argv: []string{"/bin/sh", "-c", `sleep 100 & echo $! > ` + pids + `; sleep 100`}})
	require.Error(t, err)
	data, _ := os.ReadFile(pids)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	require.NotZero(t, pid)
	assert.True(t, gone(pid), "background process %d survived the cancel", pid)
}

// gone reports whether pid no longer runs (or is a zombie awaiting its
// reaper), waiting briefly for the kernel to finish the kill.
func gone(pid int) bool {
	for i := 0; i < 100; i++ {
		if syscall.Kill(pid, 0) != nil {
			return true
		}
		if st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
			if f := strings.Fields(string(st)); len(f) > 2 && f[2] == "Z" {
				return true
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// What Quote prints, pasted into sh -c, gives back the same argv.
func TestQuoteRoundTripsThroughAShell(t *testing.T) {
	for _, argv := range [][]string{
		hostile,
		{"pct", "set", "100", "--description", "phoenix_lxc: k=v", "--mp0", "/srv/a,mp=/a"},
		{"plain", "a=b", "x@y:z", "-f", "/p/q.r+s,t"},
	} {
		line := Quote(argv)
		out, err := exec.Command("/bin/sh", "-c", `printf '%s\0' `+line).Output()
		require.NoError(t, err, line)
		assert.Equal(t, argv, strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00"), line)
	}
	assert.Equal(t, "pct start 100", Quote([]string{"pct", "start", "100"}), "plain words stay unquoted")
	assert.Equal(t, `'it'\''s'`, Quote([]string{"it's"}))
}

// The tail keeps the last max bytes whatever the sizes of the writes, and
// says how much it dropped.
func TestTailKeepsTheLastBytes(t *testing.T) {
	for _, sizes := range [][]int{{3}, {10}, {4, 4, 4}, {1, 25, 2}, {9, 1, 1}} {
		tl := &tail{max: 10}
		var all []byte
		for i, n := range sizes {
			p := []byte(strings.Repeat(string(rune('a'+i)), n))
			all = append(all, p...)
			w, err := tl.Write(p)
			require.NoError(t, err)
			require.Equal(t, n, w)
		}
		want := all
		if len(all) > 10 {
			want = append([]byte("[phoenix_lxc: output cut, the first "+strconv.Itoa(len(all)-10)+" bytes were dropped; the last 10 follow]\n"), all[len(all)-10:]...)
		}
		assert.Equal(t, string(want), string(tl.Bytes()), "writes %v", sizes)
		assert.LessOrEqual(t, cap(tl.buf), 2*10, "the buffer does not grow past the limit")
	}
	tl := &tail{max: 4}
	_, _ = tl.Write([]byte("x☃☃"))
	assert.True(t, strings.HasSuffix(string(tl.Bytes()), "]\n☃"), "the kept text starts at a character: %q", tl.Bytes())
}

// A command printing 100 MB leaves the last MaxOutput bytes of it, marked
// as cut, in the result and in the error.
func TestOutputIsKeptAsABoundedTail(t *testing.T) {
	script := `head -c 100000000 /dev/zero | tr '\0' x; echo END; head -c 3000000 /dev/zero | tr '\0' y >&2; exit 1`
	res, err := Exec{}.Run(context.Background(), Cmd{Argv: []string{"/bin/sh", "-c", script}})
	var re *Error
	require.True(t, errors.As(err, &re), "%v", err)
	for _, out := range []string{string(res.Stdout), re.Stdout} {
		assert.Less(t, len(out), MaxOutput+200)
		assert.True(t, strings.HasPrefix(out, "[phoenix_lxc: output cut, the first 99934468 bytes were dropped; the last 65536 follow]\n"), "%.100s", out)
		assert.True(t, strings.HasSuffix(out, "xxxEND\n"))
	}
	assert.Less(t, len(re.Stderr), MaxOutput+200)
	assert.Less(t, len(err.Error()), MaxOutput+500)
}

// Once the run is stopped no command starts, and the error says why.
func TestNoCommandStartsOnceStopped(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("stopped by SIGTERM"))
	_, err := Exec{}.Run(ctx, Cmd{Argv: []string{"/bin/sh", "-c", "touch " + filepath.Join(dir, "ran")}})
	var re *Error
	require.True(t, errors.As(err, &re), "%v", err)
	assert.Equal(t, "command not started (stopped by SIGTERM): /bin/sh -c 'touch "+filepath.Join(dir, "ran")+"'", err.Error())
	assert.NoFileExists(t, filepath.Join(dir, "ran"))
}

// A command killed because the run was stopped says so, with the cause.
func TestStoppedCommandSaysWhy(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(200*time.Millisecond, func() { cancel(errors.New("stopped by SIGINT")) })
	start := time.Now()
	_, err := Exec{}.Run(ctx, Cmd{Argv: []string{"sleep", "100"}})
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.EqualError(t, err, "command killed (stopped by SIGINT): sleep 100")
}

// A command that exits while something it started in another session
// still holds its output does not hold the run: Run returns soon after the
// exit, and the command's own success stands.
func TestLeftOverDescendantDoesNotHoldTheRun(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	start := time.Now()
	res, err := Exec{}.Run(context.Background(), Cmd{Argv: []string{"/bin/sh", "-c", "setsid sh -c 'echo $$ > " + pidFile + "; exec sleep 30' & sleep 0.2; echo done"}})
	took := time.Since(start)
	data, _ := os.ReadFile(pidFile)
	if pid, _ := strconv.Atoi(strings.TrimSpace(string(data))); pid > 0 {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	require.NoError(t, err)
	assert.Equal(t, "done\n", string(res.Stdout))
	assert.Less(t, took, 10*time.Second)
}
