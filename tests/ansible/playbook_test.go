package ansible

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRoleConvergesRerunsAndDryRuns drives the installed collection's role
// through ansible-playbook: a first run creates the fleet, a second changes
// nothing (recap changed=0, no pct write), and a --check --diff run of a
// changed spec prints the config diff and writes nothing.
func TestRoleConvergesRerunsAndDryRuns(t *testing.T) {
	n := newNode(t)

	first := n.playbook("converge.yml")
	require.NoError(t, first.err, first.out)
	res := n.result()
	assert.Equal(t, true, res["changed"], "the first run must report changed")
	assert.Equal(t, false, res["failed"])
	cs, _ := res["containers"].([]any)
	require.Len(t, cs, 2, "one result per container of the fleet")
	for i, want := range []float64{900, 901} {
		c := cs[i].(map[string]any)
		assert.Equal(t, want, c["ctid"], "containers in dependency order")
		assert.Equal(t, true, c["changed"])
	}
	assert.Equal(t, 1, first.changed, "only the module task changes something:\n%s", first.out)
	assert.NotEmpty(t, n.mutations(), "the first run must create the containers")
	assert.Contains(t, first.out, "900 changed=True", "the role prints a per-container summary")

	second := n.playbook("converge.yml")
	require.NoError(t, second.err, second.out)
	assert.Equal(t, 0, second.changed, "a converged rerun must show changed=0 in the play recap:\n%s", second.out)
	assert.Equal(t, false, n.result()["changed"])
	assert.Empty(t, n.mutations(), "a converged rerun must not write")

	before := n.confs()
	n.fleet(4096)
	dry := n.playbook("converge.yml", "--check", "--diff")
	require.NoError(t, dry.err, dry.out)
	assert.Equal(t, 1, dry.changed, "check mode reports the change it would make:\n%s", dry.out)
	assert.Regexp(t, `(?m)^-memory: 2048$`, dry.out, "--diff prints the config before")
	assert.Regexp(t, `(?m)^\+memory: 4096$`, dry.out, "--diff prints the config after")
	assert.Empty(t, n.mutations(), "check mode must not call any state-changing pct command")
	assert.Equal(t, before, n.confs(), "check mode must leave every conf byte for byte")
}

// TestBadSpecFailsTheTask checks that a spec the module rejects fails the
// task (not MODULE FAILURE) and shows the module's message.
func TestBadSpecFailsTheTask(t *testing.T) {
	n := newNode(t)
	p := n.playbook("bad.yml")
	require.Error(t, p.err, "a bad spec must fail ansible-playbook")
	assert.Equal(t, 1, p.failed)
	assert.Contains(t, p.out, "memory_mb", "the module's message names the bad field:\n%s", p.out)
	assert.NotContains(t, p.out, "MODULE FAILURE")
	assert.Empty(t, n.mutations(), "a rejected spec must not reach pct")
}

// TestRoleNamesAMissingSubidGrant checks the host's prerequisites, which
// the module checks itself (the role has no tasks of its own for them): a
// host without root's sub-id grant fails the module task before anything
// runs, check mode too, with a message that says which file lacks which
// line.
func TestRoleNamesAMissingSubidGrant(t *testing.T) {
	n := newNode(t)
	n.write("subid", "someone:100000:65536\n", 0o644)
	for _, flags := range [][]string{nil, {"--check"}} {
		p := n.playbook("converge.yml", flags...)
		require.Error(t, p.err)
		assert.Equal(t, 1, p.failed)
		assert.Regexp(t, `TASK \[phoenix\.hypervisor\.phoenix_lxc : Converge the containers\][^\n]*\n(?s:.)*subid does not grant root:100000:65536`, p.out)
		assert.NotContains(t, p.out, "MODULE FAILURE")
		assert.Empty(t, n.mutations(), "nothing may run when a prerequisite is missing")
	}
}
