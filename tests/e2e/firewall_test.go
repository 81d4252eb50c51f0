package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Firewall rules pve-firewall would misread or skip (it only logs to
// syslog, and a skipped DROP lets the traffic through) are refused at
// validation: by `phoenix_lxc validate`, in check mode and in a real run,
// before any pct call changes anything and before a .fw file is written.
func TestHostileFirewallRuleIsRefusedAtValidation(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	data, err := os.ReadFile(cfg)
	require.NoError(t, err)
	good := `"source": "10.0.0.153", "proto": "tcp", "port": "6334"}`
	require.Contains(t, string(data), good)
	// Rule 0 is the smuggling of issue 12: a comment equal to the source
	// once exempted the source from the '#' check, and pve-firewall read
	// "IN ACCEPT -source 10.0.0.153 # -p tcp ..." as an ACCEPT of every
	// port. Rule 1 is a DROP pve-firewall skips (port without proto), rule
	// 2 a source with a Unicode line separator.
	hostile := strings.Replace(string(data), good,
		`"source": "10.0.0.153 #", "proto": "tcp", "port": "6334", "comment": "10.0.0.153 #"},
		 {"type": "in", "action": "DROP", "port": "22"},
		 {"type": "in", "action": "DROP", "source": "10.0.0.9\u2028IN ACCEPT", "proto": "tcp", "port": "23"}`, 1)
	require.NoError(t, os.WriteFile(cfg, []byte(hostile), 0o644))
	want := []string{
		"lxc_configs.901.firewall.rules.0.source", "lxc_configs.901.firewall.rules.1.port",
		"lxc_configs.901.firewall.rules.2.source", "U+2028",
	}

	cmd := exec.Command(filepath.Join(binDir, "phoenix_lxc"), "validate", cfg)
	cmd.Env = h.env
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "validate must fail:\n%s", out)
	for _, w := range want {
		assert.Contains(t, string(out), w)
	}

	for _, check := range []bool{true, false} {
		h.resetLog()
		res := h.run(map[string]any{"config_file": cfg, "_ansible_check_mode": check})
		require.Equal(t, true, res["failed"], "check mode %t: %v", check, res)
		for _, w := range want {
			assert.Contains(t, res["msg"], w, "check mode %t", check)
		}
		assert.Empty(t, h.mutations(), "check mode %t: no state-changing pct call", check)
		_, err := os.Stat(filepath.Join(h.root, "etc/pve/firewall/901.fw"))
		assert.True(t, os.IsNotExist(err), "check mode %t: no .fw file written", check)
		assert.Empty(t, h.confs(), "check mode %t: no container created", check)
	}
}
