package main

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// ctPath maps a path inside the CT to the host path in its rootfs; it
// never leaves the rootfs ("/../x" stays inside).
func ctPath(rootfs, p string) string {
	return filepath.Join(rootfs, path.Clean("/"+p))
}

// cmdExec is `pct exec <vmid> -- cmd args`: runs a file that exists in the
// rootfs on the host (cwd = rootfs, PCTEMU_CT_ROOT set), or a built-in.
func cmdExec(e *env, p *params) error {
	id := p.pos["vmid"]
	if !e.exists(id) {
		return e.notExist(id)
	}
	if !e.running(id) {
		return fmt.Errorf("container '%s' not running!", id)
	}
	argv := p.rest
	if len(argv) == 0 {
		return fmt.Errorf("missing command")
	}
	root := e.rootfs(id)
	if file := lookPath(root, argv[0]); file != "" {
		return e.runHost(root, append([]string{file}, argv[1:]...))
	}
	return e.builtin(id, root, argv)
}

// ctPATH is the PATH lxc-attach gives a command when the container's
// environment sets none.
var ctPATH = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}

// lookPath finds cmd in the rootfs as lxc-attach's execvp would: an
// absolute path as is, a bare name in ctPATH. It returns the host path of
// a regular file, or "".
func lookPath(root, cmd string) string {
	cands := []string{cmd}
	if !strings.HasPrefix(cmd, "/") {
		if strings.Contains(cmd, "/") {
			return ""
		}
		cands = nil
		for _, d := range ctPATH {
			cands = append(cands, d+"/"+cmd)
		}
	}
	for _, c := range cands {
		if st, err := os.Stat(ctPath(root, c)); err == nil && st.Mode().IsRegular() {
			return ctPath(root, c)
		}
	}
	return ""
}

// runHost runs a command on the host with the rootfs as cwd; the exit
// status becomes pct's.
func (e *env) runHost(root string, argv []string) error {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "PCTEMU_CT_ROOT="+root)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.stdin, e.stdout, e.stderr
	err := cmd.Run()
	var xe *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &xe):
		return &exitError{xe.ExitCode()}
	}
	fmt.Fprintf(e.stderr, "lxc-attach: failed to exec '%s': %v\n", argv[0], err)
	return &exitError{127}
}

// builtin runs the few commands the emulator implements itself.
func (e *env) builtin(id, root string, argv []string) error {
	fail := func(format string, a ...any) error {
		fmt.Fprintf(e.stderr, format+"\n", a...)
		return &exitError{1}
	}
	flags, args := map[string]bool{}, []string{}
	for _, a := range argv[1:] {
		if strings.HasPrefix(a, "-") && len(a) > 1 && len(args) == 0 {
			for _, c := range a[1:] {
				flags[string(c)] = true
			}
		} else {
			args = append(args, a)
		}
	}
	switch path.Base(argv[0]) {
	case "true":
		return nil
	case "false":
		return &exitError{1}
	case "mkdir":
		for _, a := range args {
			mk := os.Mkdir
			if flags["p"] {
				mk = os.MkdirAll
			}
			if err := mk(ctPath(root, a), 0o755); err != nil {
				return fail("mkdir: cannot create directory '%s': %v", a, unwrapPathErr(err))
			}
		}
		return nil
	case "rm":
		for _, a := range args {
			rm := os.Remove
			if flags["r"] {
				rm = os.RemoveAll
			}
			if err := rm(ctPath(root, a)); err != nil && !(flags["f"] && os.IsNotExist(err)) {
				return fail("rm: cannot remove '%s': %v", a, unwrapPathErr(err))
			}
		}
		return nil
	case "cat":
		for _, a := range args {
			b, err := os.ReadFile(ctPath(root, a))
			if err != nil {
				return fail("cat: %s: %v", a, unwrapPathErr(err))
			}
			e.stdout.Write(b)
		}
		return nil
	case "test", "[":
		if len(args) < 1 {
			return &exitError{1}
		}
		st, err := os.Stat(ctPath(root, args[len(args)-1]))
		ok := err == nil && (!flags["d"] || st.IsDir()) && (!flags["f"] || st.Mode().IsRegular())
		if !ok {
			return &exitError{1}
		}
		return nil
	case "chpasswd":
		sc := bufio.NewScanner(e.stdin)
		for sc.Scan() {
			user, pass, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				return fail("chpasswd: line is not user:password")
			}
			if err := setShadow(root, user, pass); err != nil {
				return fail("chpasswd: %v", err)
			}
		}
		return nil
	case "sh", "bash":
		if !flags["c"] || len(args) == 0 {
			return fail("pctemu: only '%s -c SCRIPT' is supported", argv[0])
		}
		return e.runHost(root, append([]string{"/bin/sh", "-c"}, args...))
	}
	fmt.Fprintf(e.stderr, "lxc-attach: %s: Failed to exec \"%s\": No such file or directory\n", id, argv[0])
	return &exitError{127}
}

// setShadow stores a salted SHA-256 of the password (never the clear
// text) for user in the rootfs's etc/shadow.
func setShadow(root, user, pass string) error {
	salt := make([]byte, 8)
	rand.Read(salt)
	sum := sha256.Sum256(append(salt, pass...))
	line := fmt.Sprintf("%s:$pctemu-sha256$%s$%s:19000:0:99999:7:::", user, hex.EncodeToString(salt), hex.EncodeToString(sum[:]))
	file := filepath.Join(root, "etc", "shadow")
	old, _ := os.ReadFile(file)
	var out []string
	for _, l := range strings.Split(strings.TrimRight(string(old), "\n"), "\n") {
		if l != "" && !strings.HasPrefix(l, user+":") {
			out = append(out, l)
		}
	}
	out = append(out, line)
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	return writeAtomic(file, []byte(strings.Join(out, "\n")+"\n"), 0o640)
}
