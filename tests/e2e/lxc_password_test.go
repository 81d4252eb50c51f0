package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A $6$ hash given as password lands in a real busybox container's
// /etc/shadow through lxc-attach (chpasswd -e on stdin, the entry read
// back with cat), a rerun only reads it, and one changed inside the
// container is set back. Debian's busybox has no chpasswd applet, so the
// container gets the host's own (shadow-utils, which takes -e), and root's
// entry, which every distribution has and the busybox template leaves out.
func TestLXCPasswordHashLandsInTheContainersShadow(t *testing.T) {
	h := newLXCHost(t)
	chpasswd, err := exec.LookPath("chpasswd")
	if err != nil {
		t.Skip("no chpasswd on the host to give the busybox container")
	}
	const id = 9150
	spec := map[string]any{"name": "pw", "memory_mb": 256, "cores": 1, "template": "lxc:busybox", "unprivileged": true}
	res := h.run(h.fleet(map[int]map[string]any{id: spec}), nil)
	require.Equal(t, false, res["failed"], res["msg"])

	rootfs := filepath.Join(h.lxcpath, strconv.Itoa(id), "rootfs")
	bin, err := os.ReadFile(chpasswd)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(rootfs, "usr/sbin/chpasswd"), bin, 0o755))
	h.attach(id, "/bin/sh", "-c", "echo 'root:*:19000:0:99999:7:::' > /etc/shadow")

	spec["password"] = pwHash
	cfg := h.fleet(map[int]map[string]any{id: spec})
	out := func() (map[string]any, string) {
		cmd := h.command(cfg, map[string]any{"_ansible_verbosity": 3, "_ansible_diff": true})
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, _ := cmd.Output()
		var res map[string]any
		require.NoError(t, json.Unmarshal(stdout, &res), "stdout must be one JSON object: %s\nstderr: %s", stdout, stderr.String())
		for _, n := range pwHashParts {
			assert.NotContains(t, string(stdout), n)
			assert.NotContains(t, stderr.String(), n)
		}
		return res, stderr.String()
	}
	chpasswdRuns := func(res map[string]any) int {
		n := 0
		for _, a := range containerActions(res, id) {
			if strings.HasSuffix(a["command"].(string), "-- chpasswd -e") {
				n++
			}
		}
		return n
	}

	res, _ = out()
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Equal(t, 1, chpasswdRuns(res), containerActions(res, id))
	assert.Equal(t, "root:"+pwHash, h.attach(id, "cut", "-d:", "-f1,2", "/etc/shadow"))
	rec, _ := os.ReadFile(filepath.Join(h.lxcpath, strconv.Itoa(id), "phoenix_lxc.records"))
	assert.Contains(t, string(rec), `"password": "hash"`)
	assert.NotContains(t, string(rec), pwHash)

	res, _ = out()
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Equal(t, false, res["changed"], containerActions(res, id))

	h.attach(id, "/bin/sh", "-c", "echo 'root:"+pwHashOther+":19000:0:99999:7:::' > /etc/shadow")
	res, _ = out()
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Equal(t, 1, chpasswdRuns(res), "set back: %v", containerActions(res, id))
	assert.Equal(t, "root:"+pwHash, h.attach(id, "cut", "-d:", "-f1,2", "/etc/shadow"))
}
