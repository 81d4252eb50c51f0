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
