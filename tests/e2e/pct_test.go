package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFleetConvergesThenRerunIsReadOnly(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	res := h.run(map[string]any{"config_file": cfg})
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Equal(t, true, res["changed"])
	acts := strings.Join(actions(res), "\n")
	for _, want := range []string{"define ", "pct create 900", "pct snapshot 900 base-snapshot", "pct clone 900 901 --snapname base-snapshot",
		"--features nesting=1", "pct resize 901 rootfs 16G", "shared_volumes ", "--mp0 " + filepath.Join(h.vols, "data") + ",mp=/data",
		"pct exec 901 --keep-env 0 -- /tmp/phoenix_run.XXXXXXXXXX/app.sh 901", "lxc.idmap"} {
		assert.Contains(t, acts, want)
	}

	// The volume belongs to container 1000:1000, i.e. host 101000 under the default map.
	fi, err := os.Stat(filepath.Join(h.vols, "data"))
	require.NoError(t, err)
	assert.Equal(t, uint32(101000), fi.Sys().(*syscall.Stat_t).Uid)
	assert.Equal(t, os.FileMode(0o750), fi.Mode().Perm())
	// The custom map reached LXC, and the app script ran inside 901.
	gen, err := os.ReadFile(filepath.Join(h.root, "var/lib/lxc/902/config"))
	require.NoError(t, err)
	assert.Contains(t, string(gen), "lxc.idmap = u 1000 1000 1")
	_, err = os.Stat(filepath.Join(h.root, "var/lib/lxc/901/rootfs/app.out"))
	assert.NoError(t, err, "application script output")
	fw, err := os.ReadFile(filepath.Join(h.root, "etc/pve/firewall/901.fw"))
	require.NoError(t, err)
	assert.Contains(t, string(fw), "IN ACCEPT -source 10.0.0.153 -p tcp -dport 6334")

	h.resetLog()
	again := h.run(map[string]any{"config_file": cfg})
	require.Equal(t, false, again["failed"], again["msg"])
	assert.Equal(t, false, again["changed"], actions(again))
	assert.Empty(t, h.pctCalls(), "a converged fleet costs no pct call at all")
}

func TestCheckModeChangesNothingAndPlansTheRealRun(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	plan := h.run(map[string]any{"config_file": cfg, "_ansible_check_mode": true, "_ansible_diff": true})
	require.Equal(t, false, plan["failed"], plan["msg"])
	assert.Equal(t, true, plan["changed"])
	assert.Empty(t, h.mutations(), "check mode on nothing")
	_, err := os.Stat(filepath.Join(h.vols, "data"))
	assert.True(t, os.IsNotExist(err), "no mkdir in check mode")

	h.resetLog()
	real := h.run(map[string]any{"config_file": cfg})
	require.Equal(t, false, real["failed"], real["msg"])
	assert.Equal(t, maskTemp(actions(plan)), maskTemp(actions(real)), "what check mode planned is what the run did")

	// Drift: memory edited by hand, the mount removed.
	conf := filepath.Join(h.root, "etc/pve/lxc/901.conf")
	data, _ := os.ReadFile(conf)
	drifted := strings.Replace(string(data), "memory: 2048", "memory: 999", 1)
	var kept []string
	for _, l := range strings.Split(drifted, "\n") {
		if !strings.HasPrefix(l, "mp0:") {
			kept = append(kept, l)
		}
	}
	require.NoError(t, os.WriteFile(conf, []byte(strings.Join(kept, "\n")), 0o640))
	before := h.confs()

	h.resetLog()
	check := h.run(map[string]any{"config_file": cfg, "_ansible_check_mode": true, "_ansible_diff": true})
	assert.Equal(t, true, check["changed"])
	assert.Empty(t, h.mutations(), "check mode on a drifted fleet")
	assert.Equal(t, before, h.confs(), "conf files untouched by check mode")
	planned := actions(check)
	assert.Contains(t, strings.Join(planned, "\n"), "--memory 2048")
	assert.Contains(t, strings.Join(planned, "\n"), "--mp0 ")
	diff := check["containers"].([]any)[1].(map[string]any)["diff"].(map[string]any)
	assert.Contains(t, diff["before"], "memory: 999")
	assert.Contains(t, diff["after"], "memory: 2048")

	fixed := h.run(map[string]any{"config_file": cfg})
	assert.Equal(t, maskTemp(planned), maskTemp(actions(fixed)))
}

func TestFaultAtEveryMutationIsFinishedByTheNextRun(t *testing.T) {
	clean := newHost(t)
	require.Equal(t, false, clean.run(map[string]any{"config_file": clean.fleet()})["failed"])
	total := len(clean.mutations())
	want := clean.confs()
	require.Greater(t, total, 10)
	for n := 1; n <= total; n++ {
		h := newHost(t)
		cfg := h.fleet()
		res := h.run(map[string]any{"config_file": cfg}, "PCTEMU_FAIL_AT="+itoa(n))
		require.Equal(t, true, res["failed"], "fault %d", n)
		assert.Contains(t, res["msg"], "failed at step", "fault %d names the step", n)
		assert.Contains(t, res["msg"], "injected failure", "fault %d carries pct's stderr", n)
		res = h.run(map[string]any{"config_file": cfg})
		require.Equal(t, false, res["failed"], "rerun after fault %d: %v", n, res["msg"])
		assert.Equal(t, maskVols(want, clean.vols), maskVols(h.confs(), h.vols), "fault %d: same confs as a clean run", n)
	}
}

func TestGateFailsClosedOnAWrongMap(t *testing.T) {
	for _, bug := range []string{"wrong", "missing"} {
		h := newHost(t)
		res := h.run(map[string]any{"config_file": h.fleet()}, "PCTEMU_IDMAP_BUG="+bug)
		require.Equal(t, true, res["failed"], bug)
		assert.Contains(t, res["msg"], "idmap gate: expected [u 0 100000 65536, g 0 100000 65536]", bug)
		_, err := os.Stat(filepath.Join(h.vols, "data"))
		assert.True(t, os.IsNotExist(err), "%s: no shared volume created", bug)
		for _, c := range h.mutations() {
			assert.NotContains(t, c, "--mp0", bug)
		}
	}
}

func TestSymlinkInsideAVolumeIsNotFollowed(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	outside := filepath.Join(h.dir, "outside")
	require.NoError(t, os.WriteFile(outside, []byte("host secret"), 0o600))
	data := filepath.Join(h.vols, "data")
	require.NoError(t, os.MkdirAll(data, 0o755))
	require.NoError(t, os.Symlink(outside, filepath.Join(data, "escape")))
	res := h.run(map[string]any{"config_file": cfg})
	require.Equal(t, false, res["failed"], res["msg"])
	fi, err := os.Stat(outside)
	require.NoError(t, err)
	assert.Equal(t, uint32(0), fi.Sys().(*syscall.Stat_t).Uid, "the symlink's target keeps its owner")
}

func maskTemp(acts []string) []string {
	out := make([]string, len(acts))
	for i, a := range acts {
		out[i] = a
		if j := strings.Index(a, "/phoenix_lxc-push-"); j >= 0 {
			out[i] = a[:j] + "<temp>"
		}
	}
	return out
}

func maskVols(confs map[string]string, vols string) map[string]string {
	out := map[string]string{}
	for k, v := range confs {
		out[k] = hashRE.ReplaceAllString(strings.ReplaceAll(v, vols, "<vols>"), "sha256<hash>")
	}
	return out
}

// hashRE matches recorded content hashes, which include per-test paths.
var hashRE = regexp.MustCompile(`sha256%3A[0-9a-f]+`)

func itoa(n int) string { return strconv.Itoa(n) }
