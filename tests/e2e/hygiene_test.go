package e2e

// Input hygiene through the built binary (issue 12, point 10): input files
// are regular files of bounded size, SIGTERM stops a run with one JSON
// object, command output is kept as a bounded tail, CTID keys are
// canonical and field names match exactly.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
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

// runRaw runs the binary on argsFile as is, killed after 20 s so a run
// that blocks fails the test instead of hanging it. It returns the one
// JSON object (numbers as json.Number: the invocation echoes 1e400 as
// given), the exit code and how long it took.
func (h *host) runRaw(argsFile string) (map[string]any, int, time.Duration) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "phoenix_lxc"), argsFile)
	cmd.Env = h.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	_ = cmd.Run()
	took := time.Since(start)
	require.NoError(h.t, ctx.Err(), "the module did not end within 20 s")
	return oneJSONObject(h.t, stdout.Bytes(), stderr.String()), cmd.ProcessState.ExitCode(), took
}

// argsFile writes args, over the harness's defaults (a nil value deletes
// one), as the module's args file and returns its path.
func (h *host) argsFile(tag string, args map[string]any) string {
	full := map[string]any{"backend": "pct", "node": "pve", "feature_script_dir": h.scripts, "application_script_dir": h.scripts, "ctids": "all"}
	for k, v := range args {
		full[k] = v
		if v == nil {
			delete(full, k)
		}
	}
	data, _ := json.Marshal(full)
	p := filepath.Join(h.dir, "args-"+tag+".json")
	require.NoError(h.t, os.WriteFile(p, data, 0o600))
	return p
}

func oneJSONObject(t testing.TB, out []byte, stderr string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var obj map[string]any
	require.NoError(t, dec.Decode(&obj), "stdout must be one JSON object: %.2000s\nstderr: %.2000s", out, stderr)
	require.ErrorIs(t, dec.Decode(new(json.RawMessage)), io.EOF, "stdout holds more than one JSON value: %.2000s", out)
	return obj
}

// A device, a FIFO or a file over 16 MiB, as the args file, config_file or
// hypervisor_config_file, is refused at once with one JSON object: nothing
// blocks, nothing is read whole, nothing on the host is touched.
func TestInputFilesMustBeRegularAndBounded(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	fifo := filepath.Join(h.dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	big := filepath.Join(h.dir, "big.json")
	h.write("big.json", `{"lxc_configs": {}, "pad": "`+strings.Repeat("x", 17<<20)+`"}`, 0o644)
	cases := map[string]struct{ args, want string }{
		"args /dev/zero":         {"/dev/zero", "args file /dev/zero: cannot read it: /dev/zero is a character device, not a regular file"},
		"args FIFO":              {fifo, "args file " + fifo + ": cannot read it: " + fifo + " is a FIFO, not a regular file"},
		"args folder":            {h.dir, "is a folder, not a regular file"},
		"config /dev/zero":       {h.argsFile("cz", map[string]any{"config_file": "/dev/zero"}), "config file /dev/zero: cannot read it: /dev/zero is a character device"},
		"config FIFO":            {h.argsFile("cf", map[string]any{"config_file": fifo}), fifo + " is a FIFO, not a regular file"},
		"config 17 MiB":          {h.argsFile("cb", map[string]any{"config_file": big}), big + " is larger than 16 MiB, the limit of an input file"},
		"hypervisor /dev/zero":   {h.argsFile("hz", map[string]any{"config_file": cfg, "hypervisor_config_file": "/dev/zero"}), "/dev/zero is a character device, not a regular file"},
		"hypervisor FIFO":        {h.argsFile("hf", map[string]any{"config_file": cfg, "hypervisor_config_file": fifo}), fifo + " is a FIFO, not a regular file"},
		"hypervisor 17 MiB":      {h.argsFile("hb", map[string]any{"config_file": cfg, "hypervisor_config_file": big}), big + " is larger than 16 MiB"},
		"inline hypervisor FIFO": {h.argsFile("if", map[string]any{"ctids": nil, "ctid": 9100, "container": map[string]any{"name": "web", "template": "local:vztmpl/debian-12.tar.zst"}, "hypervisor_config_file": fifo}), "hypervisor config " + fifo},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			h.resetLog()
			res, code, took := h.runRaw(c.args)
			assert.Equal(t, 1, code)
			assert.Equal(t, true, res["failed"])
			assert.Contains(t, res["msg"], c.want)
			assert.Less(t, took, 5*time.Second)
			assert.Empty(t, h.pctCalls(), "nothing ran")
		})
	}
}

// waitForPid waits up to 30 s for file to hold a pid.
func waitForPid(t *testing.T, file string) int {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		data, _ := os.ReadFile(file)
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
			return pid
		}
	}
	t.Fatalf("%s: no pid after 30 s", file)
	return 0
}

// SIGTERM (or SIGINT) while an application script runs: the script is
// killed, nothing new starts, and the module still prints one JSON object,
// failed, saying it was stopped by the signal; exit 1 soon after.
func TestSignalStopsTheRunWithOneObject(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		name := map[syscall.Signal]string{syscall.SIGTERM: "SIGTERM", syscall.SIGINT: "SIGINT"}[sig]
		t.Run(name, func(t *testing.T) {
			h := newHost(t)
			cfg := h.fleet()
			pidFile := filepath.Join(h.dir, "app.pid")
			h.write("scripts/app.sh", "#!/bin/sh\necho $$ > "+pidFile+"\nexec sleep 120\n", 0o755)
			cmd, wait := h.start("signal", map[string]any{"config_file": cfg, "parallel": 1})
			appPid := waitForPid(t, pidFile)
			defer syscall.Kill(appPid, syscall.SIGKILL)
			sent := time.Now()
			require.NoError(t, cmd.Process.Signal(sig))
			res, _, stderr := wait()
			took := time.Since(sent)
			require.NotNil(t, res, "one JSON object after %s; stderr: %s", name, stderr)
			assert.Equal(t, 1, cmd.ProcessState.ExitCode())
			assert.Equal(t, true, res["failed"])
			msg := fmt.Sprint(res["msg"])
			assert.True(t, strings.HasPrefix(msg, "stopped by "+name+": the commands under way were killed"), msg)
			assert.Contains(t, msg, "command killed (stopped by "+name+")")
			assert.NotContains(t, msg, "install Proxmox VE's pct", "a stopped command is not a missing pct")
			assert.Less(t, took, 5*time.Second)
			assert.True(t, gone(appPid), "the application script %d was killed", appPid)
			byID := byCTID(res)
			assert.Equal(t, true, byID["901"]["failed"], "901 was stopped in its application step")
			assert.Contains(t, fmt.Sprint(byID["902"]["msg"]), "the run was stopped (stopped by "+name+")", "902, after it in order, was not started")
		})
	}
}

// peakRSS samples the peak resident size (VmHWM, in KiB) of pid until it
// exits, and returns the last value read.
func peakRSS(pid int, done <-chan struct{}) <-chan int {
	out := make(chan int, 1)
	go func() {
		peak := 0
		for {
			data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
			for _, l := range strings.Split(string(data), "\n") {
				if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
					n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
					peak = max(peak, n)
				}
			}
			select {
			case <-done:
				out <- peak
				return
			default:
			}
			if err != nil {
				out <- peak
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	return out
}

// An application script that prints 100 MB and fails: the module keeps
// the last 64 KiB of it, its msg shows only the end (issue 14: a short msg),
// it answers in well under 1 MB, and its memory stays far below the
// output's size.
func TestHugeCommandOutputStaysBounded(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	h.write("scripts/app.sh", "#!/bin/sh\nhead -c 100000000 /dev/zero | tr '\\0' x\necho\necho the-last-line\nexit 1\n", 0o755)
	cmd, wait := h.start("huge", map[string]any{"config_file": cfg, "ctids": []int{900, 901}})
	done := make(chan struct{})
	peak := peakRSS(cmd.Process.Pid, done)
	res, stdout, _ := wait()
	close(done)
	kib := <-peak
	require.NotNil(t, res)
	assert.Equal(t, true, res["failed"])
	assert.Less(t, len(stdout), 1<<20, "the answer stays small")
	msg := fmt.Sprint(res["msg"])
	assert.Contains(t, msg, "the-last-line")
	assert.Less(t, len(msg), 2<<10, "msg shows the end of the output only")
	assert.Greater(t, kib, 0, "the module's memory was sampled")
	assert.Less(t, kib, 64<<10, "peak RSS %d KiB: the output is not held", kib)
	t.Logf("answer %d bytes, peak RSS %d KiB", len(stdout), kib)
}

// CTID keys are canonical, field names exact and numbers must fit, through
// the binary: each refused before anything runs, naming the field, in
// one JSON object.
func TestKeysAndNumbersAreReadExactly(t *testing.T) {
	h := newHost(t)
	spec := `{"name": "web", "template": "local:vztmpl/debian-12.tar.zst"}`
	for name, c := range map[string]struct{ fleet, want string }{
		"leading zero":    {`{"0960": ` + spec + `}`, `lxc_configs.0960: key "0960" is not a CTID`},
		"two spellings":   {`{"960": ` + spec + `, "0960": ` + spec + `}`, `lxc_configs.960: names the same container (CT 960) as "0960"`},
		"case variant":    {`{"960": {"name": "web", "template": "t", "vllm_PORT": 99999999}}`, `lxc_configs.960.vllm_PORT: unknown field (did you mean "vllm_port"?`},
		"1e400":           {`{"960": {"name": "web", "template": "t", "boot_order": 1e400}}`, "lxc_configs.960.boot_order: must be less than or equal to"},
		"whole, exponent": {`{"960": {"name": "web", "template": "t", "boot_order": 1e2}}`, "lxc_configs.960.boot_order: must be a whole number"},
	} {
		t.Run(name, func(t *testing.T) {
			h.write("keys.json", `{"lxc_configs": `+c.fleet+`}`, 0o644)
			h.resetLog()
			res, code, _ := h.runRaw(h.argsFile("keys", map[string]any{"config_file": filepath.Join(h.dir, "keys.json")}))
			assert.Equal(t, 1, code)
			assert.Equal(t, true, res["failed"])
			assert.Contains(t, res["msg"], c.want)
			assert.NotContains(t, res["msg"], "cannot encode")
			assert.Empty(t, h.pctCalls(), "nothing ran")
		})
	}
	// Inline, 1e400 is echoed in the invocation as given, and refused.
	res, code, _ := h.runRaw(h.argsFile("inline", map[string]any{"ctids": nil, "ctid": 960,
		"container": map[string]any{"name": "web", "template": "t", "boot_order": json.Number("1e400")}}))
	assert.Equal(t, 1, code)
	assert.Contains(t, res["msg"], "container.boot_order: must be less than or equal to")
	inv, _ := res["invocation"].(map[string]any)
	args, _ := inv["module_args"].(map[string]any)
	container, _ := args["container"].(map[string]any)
	assert.Equal(t, json.Number("1e400"), container["boot_order"])
}
