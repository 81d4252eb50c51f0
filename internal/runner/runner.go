// Package runner is the one seam through which phoenix_lxc runs external
// commands: argv only, never a shell, each with a timeout, killed with its
// process group when the timeout passes or the run is stopped, and only
// the tail of its output kept (MaxOutput).
package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Cmd is one external command.
type Cmd struct {
	Argv    []string
	Stdin   []byte
	Env     []string      // extra KEY=value pairs added to the environment
	Timeout time.Duration // 0: the runner's default
}

// Result is what a finished command left behind.
type Result struct {
	Stdout   []byte
	Stderr   []byte
	ExitCode int
	Duration time.Duration
}

// Runner runs commands. Exec is the real one; tests use fakes.
type Runner interface {
	Run(ctx context.Context, c Cmd) (Result, error)
}

// Error is a failed command: argv, exit code and output, printable as a
// command line one can paste into a shell followed by the last lines of
// its stderr (or, when it printed none, of its stdout).
type Error struct {
	Argv     []string
	ExitCode int
	Stdout   string
	Stderr   string
	TimedOut time.Duration // non-zero when killed by the timeout
	Stopped  error         // why the run was stopped, when killed for it (or, with no Inner, not started)
	Inner    error
}

func (e *Error) Error() string {
	cmd := Quote(e.Argv)
	if e.TimedOut > 0 {
		return fmt.Sprintf("command timed out after %s and was killed: %s", e.TimedOut, cmd)
	}
	if e.Stopped != nil && e.Inner == nil {
		return fmt.Sprintf("command not started (%v): %s", e.Stopped, cmd)
	}
	if e.Stopped != nil {
		return fmt.Sprintf("command killed (%v): %s", e.Stopped, cmd)
	}
	msg := Brief(e.Stderr)
	if msg == "" {
		msg = Brief(e.Stdout)
	}
	if e.ExitCode < 0 {
		return fmt.Sprintf("command could not run: %s: %v", cmd, e.Inner)
	}
	if msg == "" {
		return fmt.Sprintf("command failed (exit %d): %s", e.ExitCode, cmd)
	}
	return fmt.Sprintf("command failed (exit %d): %s: %s", e.ExitCode, cmd, msg)
}

func (e *Error) Unwrap() error { return e.Inner }

// Quote renders argv as a shell-pasteable line.
func Quote(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r == '/' || r == '-' || r == '_' || r == '.' || r == ',' || r == '=' || r == ':' || r == '@' || r == '+' ||
				(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
		}) < 0 {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}

// Exec runs real processes.
type Exec struct {
	Timeout time.Duration // default per command; 0 means 10 minutes
	Env     []string      // base environment; nil means the process's own
}

// Run runs c and returns an *Error when it fails, times out or cannot start.
// Once ctx is done no command starts, and a running one is killed.
func (x Exec) Run(ctx context.Context, c Cmd) (Result, error) {
	if len(c.Argv) == 0 {
		return Result{}, errors.New("runner: empty argv")
	}
	if ctx.Err() != nil {
		return Result{ExitCode: -1}, &Error{Argv: c.Argv, ExitCode: -1, Stopped: context.Cause(ctx)}
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = x.Timeout
	}
	if timeout == 0 {
		timeout = 10 * time.Minute
	}
	cmd := exec.Command(c.Argv[0], c.Argv[1:]...)
	// Its own process group, so a timeout kills everything it started; and
	// killed with the module, so a killed run leaves no tool running on.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if x.Env != nil || c.Env != nil {
		base := x.Env
		if base == nil {
			base = cmd.Environ()
		}
		cmd.Env = append(append([]string{}, base...), c.Env...)
	}
	stdout, stderr := &tail{max: MaxOutput}, &tail{max: MaxOutput}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// A descendant that left the process group may hold the output pipes
	// open for ever; Wait gives up on them this long after the exit.
	cmd.WaitDelay = time.Second
	if c.Stdin != nil {
		cmd.Stdin = bytes.NewReader(c.Stdin)
	}
	start := time.Now()
	res := Result{}
	if err := cmd.Start(); err != nil {
		return res, &Error{Argv: c.Argv, ExitCode: -1, Inner: err}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err, stopped error
	timedOut := time.Duration(0)
	select {
	case err = <-done:
	case <-time.After(timeout):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		err = <-done
		timedOut = timeout
	case <-ctx.Done():
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		if err = <-done; err != nil { // else it had finished before the kill
			stopped = context.Cause(ctx)
		}
	}
	if errors.Is(err, exec.ErrWaitDelay) {
		err = nil // it exited 0; what it left running does not make it fail
	}
	res = Result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), Duration: time.Since(start)}
	if cmd.ProcessState != nil {
		res.ExitCode = cmd.ProcessState.ExitCode()
	}
	if err != nil || timedOut > 0 || stopped != nil {
		return res, &Error{Argv: c.Argv, ExitCode: res.ExitCode, Stdout: string(res.Stdout), Stderr: string(res.Stderr),
			TimedOut: timedOut, Stopped: stopped, Inner: err}
	}
	return res, nil
}
