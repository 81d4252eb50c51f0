package ansible

import (
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 14, point 6: the role hands its phoenix_lxc_pct_path to the module
// (no PHOENIX_LXC_PCT in phoenix_lxc_environment), and a failed task shows
// a short msg naming container, step, command, exit code and the end of
// stderr, without the containers' full configs, which come under -vv.
func TestRolePassesPctPathAndFailsShort(t *testing.T) {
	n := newNode(t)
	delete(n.vars["phoenix_lxc_environment"].(map[string]string), "PHOENIX_LXC_PCT")
	n.vars["phoenix_lxc_pct_path"] = filepath.Join(workDir, "bin", "pct")

	first := n.playbook("converge.yml")
	require.NoError(t, first.err, first.out)
	assert.NotEmpty(t, n.mutations(), "the module ran the emulator's pct, found through the role")

	n.write("scripts/app.sh", "#!/bin/sh\nfor i in $(seq 1 200); do echo \"noise $i\" >&2; done\necho the-last-words >&2\nexit 3\n", 0o755)
	failed := n.playbook("converge.yml")
	require.Error(t, failed.err, failed.out)
	fatal := regexp.MustCompile(`(?m)^fatal: \[localhost\]: FAILED! => (.*)$`).FindStringSubmatch(failed.out)
	require.NotNil(t, fatal, failed.out)
	msgs := regexp.MustCompile(`"msg": "((?:[^"\\]|\\.)*)"`).FindAllStringSubmatch(fatal[1], -1)
	require.NotEmpty(t, msgs, fatal[1])
	msg := msgs[len(msgs)-1] // the task's own, after each container's (Ansible sorts the keys)
	for _, want := range []string{"CT 901 failed at step application", "exit 3", "app.sh 901", "the-last-words"} {
		assert.Contains(t, msg[1], want)
	}
	assert.NotContains(t, msg[1], "noise 100", "only the end of stderr")
	assert.Less(t, len(msg[1]), 1500, "msg is short: %s", msg[1])
	assert.NotContains(t, fatal[1], "rootfs: ", "no full config without -vv or --diff")
	assert.Less(t, len(fatal[1]), 4000, "the failure stays readable: %s", fatal[1])

	verbose := n.playbook("converge.yml", "-vv")
	require.Error(t, verbose.err)
	assert.Contains(t, verbose.out, `"config": "arch: amd64`, "-vv returns the configs")
}
