package e2e

// Issue 14, points 4 and 5: health checks that cannot run fail at once and
// every failed check shows what it printed; containers are destroyed by
// CTID alone.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withHealthCheck sets CT 901's health check and application script in the
// fleet at cfg.
func (h *host) withHealthCheck(cfg string, check map[string]any, app string) {
	var doc map[string]map[string]map[string]any
	data, err := os.ReadFile(cfg)
	require.NoError(h.t, err)
	require.NoError(h.t, json.Unmarshal(data, &doc))
	doc["lxc_configs"]["901"]["health_check"] = check
	doc["lxc_configs"]["901"]["application_script"] = app
	data, _ = json.Marshal(doc)
	require.NoError(h.t, os.WriteFile(cfg, data, 0o644))
}

// tries counts the pct calls equal to call.
func (h *host) tries(call string) int {
	n := 0
	for _, c := range h.pctCalls() {
		if c == call {
			n++
		}
	}
	return n
}

// A check command that does not exist in the container (exit 127) fails
// at once, with no retry and no wait, and says why with what it printed.
func TestHealthCheckThatCannotRunFailsAtOnce(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	h.withHealthCheck(cfg, map[string]any{"command": "nosuchcheck --now", "retries": 5, "interval": 10}, "app.sh")

	start := time.Now()
	res := h.run(map[string]any{"config_file": cfg})
	require.Equal(t, true, res["failed"])
	assert.Less(t, time.Since(start), 10*time.Second, "no interval was waited")
	msg := res["msg"].(string)
	for _, want := range []string{"CT 901 failed at step application", "health_check cannot run inside the container (exit 127, command not found), not retried",
		"pct exec 901 --keep-env 0 -- nosuchcheck --now", `stderr: lxc-attach: 901: Failed to exec "nosuchcheck"`} {
		assert.Contains(t, msg, want)
	}
	assert.Equal(t, 1, h.tries("exec 901 --keep-env 0 -- nosuchcheck --now"), "one try")
}

// A check that runs and fails is retried, then fails with the end of its
// stdout and stderr in the message.
func TestFailingHealthCheckShowsItsOutput(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	h.write("scripts/install-check.sh", "#!/bin/sh\nmkdir -p \"$PCTEMU_CT_ROOT/usr/local/bin\"\n"+
		"printf '#!/bin/sh\\necho starting\\necho all-is-well-not\\necho port 80 refused >&2\\nexit 4\\n' > \"$PCTEMU_CT_ROOT/usr/local/bin/hc\"\n"+
		"chmod 755 \"$PCTEMU_CT_ROOT/usr/local/bin/hc\"\n", 0o755)
	h.withHealthCheck(cfg, map[string]any{"command": "hc", "retries": 1, "interval": 1}, "install-check.sh")

	res := h.run(map[string]any{"config_file": cfg})
	require.Equal(t, true, res["failed"])
	msg := res["msg"].(string)
	assert.Contains(t, msg, "health_check failed after 2 tries (exit 4): ")
	assert.Contains(t, msg, "stdout: starting / all-is-well-not; stderr: port 80 refused")
	assert.Equal(t, 2, h.tries("exec 901 --keep-env 0 -- hc"))
}

// refusingPct puts a pct in front of the emulator that refuses, as Proxmox
// does, to destroy CT 900 while its linked clone 901 exists (the emulator
// does not model linked clones), logging the refused call as the emulator
// logs its own. It returns the env that selects it.
func (h *host) refusingPct() string {
	h.write("pctrefuse", "#!/bin/sh\n"+
		"if [ \"$1\" = destroy ] && [ \"$2\" = 900 ] && [ -e "+filepath.Join(h.root, "etc/pve/lxc/901.conf")+" ]; then\n"+
		"  echo \"$*\" >> \"$PCTEMU_LOG\"\n"+
		"  echo \"base volume 'local-lvm:base-900-disk-0' is still in use by linked clones\" >&2; exit 255\nfi\n"+
		"exec "+filepath.Join(binDir, "pct")+" \"$@\"\n", 0o755)
	return "PHOENIX_LXC_PCT=" + filepath.Join(h.dir, "pctrefuse")
}

// destroys lists the CTIDs pct destroy was called for, in call order.
func (h *host) destroys() []string {
	var out []string
	for _, c := range h.pctCalls() {
		if f := strings.Fields(c); len(f) > 1 && f[0] == "destroy" {
			out = append(out, f[1])
		}
	}
	return out
}

func (h *host) exists(ctid string) bool {
	_, err := os.Stat(filepath.Join(h.root, "etc/pve/lxc", ctid+".conf"))
	return err == nil
}

// state: absent needs no spec: ctid or ctids alone (a list, or a comma
// string as a survey gives it) destroys, in the order given, one at a
// time; a source whose linked clones exist is refused with Proxmox's
// reason and the others go on. With a config file clones go first.
func TestDestroyByCTIDAlone(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	require.Equal(t, false, h.run(map[string]any{"config_file": cfg})["failed"])
	refuse := h.refusingPct()

	plan := h.run(map[string]any{"ctids": nil, "ctid": 902, "state": "absent", "_ansible_check_mode": true})
	require.Equal(t, false, plan["failed"], plan["msg"])
	assert.Equal(t, true, plan["changed"])
	assert.Equal(t, float64(902), plan["ctid"], "the flat shape of ctid")
	assert.True(t, h.exists("902"), "check mode destroys nothing")

	gone := h.run(map[string]any{"ctids": nil, "ctid": 902, "state": "absent"})
	require.Equal(t, false, gone["failed"], gone["msg"])
	assert.Equal(t, true, gone["changed"])
	assert.False(t, h.exists("902"))

	h.resetLog()
	res := h.run(map[string]any{"ctids": "900, 901", "state": "absent"}, refuse)
	require.Equal(t, true, res["failed"])
	msg := res["msg"].(string)
	assert.Contains(t, msg, "CT 900 failed at step destroy")
	assert.Equal(t, 1, strings.Count(msg, "base volume 'local-lvm:base-900-disk-0' is still in use by linked clones"), msg)
	assert.Contains(t, msg, "destroy the linked clones first")
	assert.Contains(t, msg, "Done: 901. Failed: 900.")
	assert.Equal(t, []string{"900", "901"}, h.destroys(), "in the order given")
	assert.True(t, h.exists("900"))
	assert.False(t, h.exists("901"))

	again := h.run(map[string]any{"ctids": []any{"900"}, "state": "absent"}, refuse)
	require.Equal(t, false, again["failed"], again["msg"])
	assert.False(t, h.exists("900"))

	require.Equal(t, false, h.run(map[string]any{"config_file": cfg})["failed"])
	h.resetLog()
	all := h.run(map[string]any{"config_file": cfg, "ctids": "900,901,902", "state": "absent"}, refuse)
	require.Equal(t, false, all["failed"], all["msg"])
	d := h.destroys()
	require.Len(t, d, 3)
	assert.Equal(t, "900", d[2], "with a config file the clones go before their source: %v", d)
}
