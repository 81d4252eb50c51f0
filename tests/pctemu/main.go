// Command pctemu is a test stand-in for Proxmox VE's pct: it keeps
// container state under PCTEMU_ROOT, laid out like "/", and reproduces
// pct's command line, messages, exit codes and config files as described
// in the project's pct-spec.md. See README.md in this folder.
package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// workerError is a failure inside a task worker: its exit status depends
// on the command's group (255 for task, 0 for nomap).
type workerError struct{ msg string }

func (e *workerError) Error() string { return e.msg }

func workerErr(format string, a ...any) error { return &workerError{fmt.Sprintf(format, a...)} }

// exitError carries an exact exit status (exec passes the command's).
type exitError struct{ code int }

func (e *exitError) Error() string { return "exit " + strconv.Itoa(e.code) }

func main() {
	// One short-lived command per process, as pct: collecting garbage
	// would only cost the CPU that parallel runs share.
	debug.SetGCPercent(-1)
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	e := &env{root: os.Getenv("PCTEMU_ROOT"), node: os.Getenv("PCTEMU_NODE"),
		stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin, idmapBug: os.Getenv("PCTEMU_IDMAP_BUG")}
	if e.root == "" {
		fmt.Fprintln(e.stderr, "pctemu: PCTEMU_ROOT is not set; point it at the emulator's state folder")
		return 255
	}
	if e.node == "" {
		e.node = "pve"
	}
	if err := e.setup(); err != nil {
		fmt.Fprintln(e.stderr, err)
		return 255
	}
	if err := logInvocation(args); err != nil {
		fmt.Fprintln(e.stderr, err)
		return 255
	}
	if len(args) == 0 {
		fmt.Fprint(e.stderr, "ERROR: no command specified\n"+usageAll())
		return 255
	}
	c, ok := resolve(args[0])
	if !ok {
		fmt.Fprintf(e.stderr, "ERROR: unknown command 'pct %s'\n%s", args[0], usageAll())
		return 255
	}
	p, warns, err := c.parse(args[1:])
	for _, w := range warns {
		fmt.Fprintln(e.stderr, w)
	}
	if err != nil {
		fmt.Fprint(e.stderr, err.Error()+c.usage()+"\n")
		return 255
	}
	if c.changes {
		if err := e.injectFailure(c.name); err != nil {
			fmt.Fprintln(e.stderr, err)
			return 255
		}
	}
	d, err := loadDelays()
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return 255
	}
	e.delay = d.of(c.name)
	if c.name != "clone" { // clone sleeps while it holds its source (cmdClone)
		time.Sleep(e.delay)
	}
	return e.finish(c, c.run(e, p))
}

// finish maps a command's result onto pct's output and exit status.
func (e *env) finish(c *command, err error) int {
	var pe *paramError
	var we *workerError
	var xe *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &xe):
		return xe.code
	case errors.As(err, &pe):
		fmt.Fprint(e.stderr, pe.Error()+c.usage()+"\n")
		return 255
	case errors.As(err, &we):
		fmt.Fprintln(e.stderr, strings.ReplaceAll(strings.TrimRight(we.msg, "\n"), "\n", " "))
		if c.group == nomap {
			return 0
		}
		return 255
	}
	fmt.Fprintln(e.stderr, strings.TrimRight(err.Error(), "\n"))
	return 255
}

// logInvocation appends the arguments to PCTEMU_LOG, hiding a password;
// a newline inside an argument (a description) is written as \n. A
// state-changing invocation (one PCTEMU_FAIL_AT counts) starts with "! ":
// readers count mutations by that mark, and keep no list of their own.
func logInvocation(args []string) error {
	path := os.Getenv("PCTEMU_LOG")
	if path == "" {
		return nil
	}
	mark := ""
	if len(args) > 0 {
		if c, ok := resolve(args[0]); ok && c.changes {
			mark = "! "
		}
	}
	out := make([]string, len(args))
	copy(out, args)
	for i, a := range out {
		name := strings.TrimLeft(a, "-")
		if a == name || len(name) < 3 || !strings.HasPrefix("password", strings.SplitN(name, "=", 2)[0]) {
			continue
		}
		if k, _, ok := strings.Cut(a, "="); ok {
			out[i] = k + "=<hidden>"
		} else if i+1 < len(out) {
			out[i+1] = "<hidden>"
		}
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("pctemu: cannot open PCTEMU_LOG %s: %v", path, err)
	}
	defer f.Close()
	for i, a := range out { // one line per invocation, whatever the arguments hold
		out[i] = strings.ReplaceAll(a, "\n", `\n`)
	}
	_, err = fmt.Fprintln(f, mark+strings.Join(out, " "))
	return err
}

// injectFailure counts state-changing invocations in a file under the
// state folder and fails the one PCTEMU_FAIL_AT names.
func (e *env) injectFailure(name string) error {
	at, err := strconv.Atoi(os.Getenv("PCTEMU_FAIL_AT"))
	if err != nil || at <= 0 {
		return nil
	}
	path := e.path("run/pctemu/fail-at.count")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("pctemu: cannot open %s: %v", filepath.Base(path), err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("pctemu: cannot lock %s: %v", path, err)
	}
	buf := make([]byte, 32)
	nb, _ := f.ReadAt(buf, 0)
	n, _ := strconv.Atoi(strings.TrimSpace(string(buf[:nb])))
	n++
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(n)+"\n"), 0); err != nil {
		return err
	}
	if n == at {
		return fmt.Errorf("PCTEMU_FAIL_AT: injected failure of '%s'", name)
	}
	return nil
}
