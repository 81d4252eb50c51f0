package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// pctBin is the emulator built once for all tests.
var pctBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pctemu-bin")
	if err != nil {
		panic(err)
	}
	pctBin = filepath.Join(dir, "pct")
	out, err := exec.Command("go", "build", "-o", pctBin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building pctemu: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// host is one emulated Proxmox node: a fresh state folder.
type host struct {
	t    *testing.T
	root string
	env  []string
}

func newHost(t *testing.T, env ...string) *host {
	root := t.TempDir()
	tmpl := filepath.Join(root, "var/lib/vz/template/cache/debian-12.tar.zst")
	require.NoError(t, os.MkdirAll(filepath.Dir(tmpl), 0o755))
	require.NoError(t, os.WriteFile(tmpl, []byte("tar"), 0o644))
	bridge := filepath.Join(root, "sys/class/net/vmbr0/mtu") // the node's bridge
	require.NoError(t, os.MkdirAll(filepath.Dir(bridge), 0o755))
	require.NoError(t, os.WriteFile(bridge, []byte("1500\n"), 0o644))
	return &host{t: t, root: root, env: append([]string{"PCTEMU_ROOT=" + root, "TZ=UTC"}, env...)}
}

// result is one pct run.
type result struct {
	code           int
	stdout, stderr string
}

func (h *host) pctIn(stdin string, args ...string) result {
	h.t.Helper()
	cmd := exec.Command(pctBin, args...)
	cmd.Env = append(os.Environ(), h.env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if xe, ok := err.(*exec.ExitError); ok {
		code = xe.ExitCode()
	} else if err != nil {
		h.t.Fatalf("running pct %v: %v", args, err)
	}
	return result{code, out.String(), errb.String()}
}

func (h *host) pct(args ...string) result { h.t.Helper(); return h.pctIn("", args...) }

// ok runs pct and requires exit 0.
func (h *host) ok(args ...string) result {
	h.t.Helper()
	r := h.pct(args...)
	require.Equal(h.t, 0, r.code, "pct %v: stderr %q", args, r.stderr)
	return r
}

func (h *host) create(id string, opts ...string) {
	h.t.Helper()
	h.ok(append([]string{"create", id, "local:vztmpl/debian-12.tar.zst"}, opts...)...)
}

func (h *host) read(p string) string {
	h.t.Helper()
	b, err := os.ReadFile(filepath.Join(h.root, p))
	require.NoError(h.t, err)
	return string(b)
}

func (h *host) write(p, data string) {
	h.t.Helper()
	require.NoError(h.t, os.MkdirAll(filepath.Dir(filepath.Join(h.root, p)), 0o755))
	require.NoError(h.t, os.WriteFile(filepath.Join(h.root, p), []byte(data), 0o644))
}

func (h *host) exists(p string) bool {
	_, err := os.Lstat(filepath.Join(h.root, p))
	return err == nil
}
