package e2e

// Issue 14, point 7: the command line as a person meets it.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cli runs the built binary with args on the test's host and returns its
// stdout, stderr and exit code.
func (h *host) cli(extraEnv []string, args ...string) (string, string, int) {
	h.t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "phoenix_lxc"), args...)
	cmd.Dir = h.dir
	cmd.Env = append(append([]string{}, h.env...), extraEnv...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		require.NoError(h.t, err)
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

// Every subcommand answers --help with its usage on stdout and exit 0; a
// mistyped flag gets the closest one in one line, not the flag dump.
func TestCLIHelpAndMistypedFlags(t *testing.T) {
	h := newHost(t)
	for _, cmd := range []string{"run", "validate", "schema", "conf"} {
		for _, help := range []string{"--help", "-h"} {
			out, _, code := h.cli(nil, cmd, help)
			assert.Equal(t, 0, code, "%s %s", cmd, help)
			assert.True(t, strings.HasPrefix(out, "usage: phoenix_lxc "+cmd), "%s %s: %q", cmd, help, out)
		}
	}
	_, errOut, code := h.cli(nil, "run", "--chek")
	assert.Equal(t, 2, code)
	assert.Equal(t, "phoenix_lxc run: unknown flag --chek (did you mean --check?)\nRun \"phoenix_lxc run --help\" for its flags.\n", errOut)
	_, errOut, code = h.cli(nil, "validate", "fleet.json", "--hypervisor-conf", "hv.json")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "unknown flag --hypervisor-conf (did you mean --hypervisor-config?)")
}

// CLI errors name flags, not module options; counts agree with their
// nouns; a file that is not JSON says that config files are, and each
// error names the file it is about.
func TestCLIErrorsReadAsTheCommandLine(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	out, _, code := h.cli(nil, "run", "--config", cfg)
	assert.Equal(t, 1, code)
	assert.Equal(t, "invalid input: --ctid: is required unless --all is given (which containers to converge)\n", out)

	out, _, _ = h.cli(nil, "run", "--config", cfg, "--ctid", "950")
	assert.Contains(t, out, "--ctid: container 950 is not defined in --config (it defines 900, 901, 902)")

	h.write("one.json", `{"lxc_configs": {"960": {"name": "web", "memroy_mb": 512, "template": "local:vztmpl/debian-12.tar.zst"}}}`, 0o644)
	out, _, code = h.cli(nil, "validate", "one.json")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "one.json: 1 problem\n")

	h.write("fleet.yml", "lxc_configs:\n  \"960\": {name: web}\n", 0o644)
	out, _, _ = h.cli(nil, "run", "--config", "fleet.yml", "--ctid", "960")
	assert.Contains(t, out, "fleet.yml: not valid JSON")
	assert.Contains(t, out, "(config files are JSON, not YAML)")

	out, _, _ = h.cli(nil, "run", "--config", cfg, "--ctid", "900", "--hypervisor-config", "missing.json")
	assert.True(t, strings.HasPrefix(out, "hypervisor config missing.json: cannot read it: "), out)
	assert.NotContains(t, out, "config file")

	out, _, _ = h.cli([]string{"PHOENIX_LXC_PCT=/nonexistent/pct"}, "run", "--config", cfg, "--ctid", "900", "--backend", "pct")
	assert.Equal(t, 1, strings.Count(out, "backend pct:"), out)

	require.NoError(t, os.MkdirAll(filepath.Join(h.root, "proc/net/unix"), 0o755)) // unreadable as a file
	out, _, _ = h.cli(nil, "run", "--config", cfg, "--ctid", "900", "--backend", "pct", "--node", "pve")
	assert.Contains(t, out, "CT 900 failed at step observe: read ")
	assert.NotContains(t, out, "observe: observe")
}

// A dry run shows planned actions without durations; -v prints, on
// stderr, each command with its output, which a run without -v does not.
func TestCLIPlanAndVerboseOutput(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	h.write("scripts/phoenix_hypervisor_feature_install_base_setup.sh", "#!/bin/sh\necho \"feature output for $1\"\n", 0o755)

	out, _, code := h.cli(nil, "run", "--config", cfg, "--ctid", "900", "--backend", "pct", "--node", "pve",
		"--feature-script-dir", h.scripts, "--check")
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "  planned  define         create\n")
	assert.NotContains(t, out, " ms)")

	args := []string{"run", "--config", cfg, "--ctid", "900", "--backend", "pct", "--node", "pve", "--feature-script-dir", h.scripts}
	out, errOut, code := h.cli(nil, append(args, "-v")...)
	require.Equal(t, 0, code, out+errOut)
	assert.Regexp(t, `  done     define         create \(\d+ ms\)\n`, out, "done actions show how long they took")
	assert.Contains(t, errOut, "    $ "+filepath.Join(h.scripts, "phoenix_hypervisor_feature_install_base_setup.sh")+" 900  (exit 0, ")
	assert.Contains(t, errOut, "    | feature output for 900\n")

	h.write("scripts/phoenix_hypervisor_feature_install_base_setup.sh", "#!/bin/sh\necho \"feature output again for $1\"\n", 0o755)
	_, errOut, code = h.cli(nil, args...)
	require.Equal(t, 0, code)
	assert.NotContains(t, errOut, "feature output again", "without -v no command output")
}
