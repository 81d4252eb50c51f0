package ansible

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRoleOverSSH runs the installed collection's role on a host reached
// over real SSH (an sshd the test starts on 127.0.0.1), so the module
// binary travels the way it does for users: copied to the target's remote
// temp folder and run there. A first run converges the fleet, a second
// reports changed=0 and writes nothing.
func TestRoleOverSSH(t *testing.T) {
	sshd := startSSHD(t)
	n := newNode(t)
	inv := sshd.inventory(t, n.dir, "sshtarget")
	args := []string{"-i", inv, "-e", "target=sshtarget"}
	env := []string{"ANSIBLE_KEEP_REMOTE_FILES=1", "ANSIBLE_SSH_CONTROL_PATH_DIR=" + filepath.Join(n.dir, "cp")}

	first := n.playbookOn("sshtarget", args, env, "converge.yml")
	require.NoError(t, first.err, first.out)
	assert.Equal(t, 1, first.changed, "only the module task changes something:\n%s", first.out)
	res := n.result()
	assert.Equal(t, true, res["changed"])
	assert.Len(t, res["containers"], 2, "one result per container of the fleet")
	assert.NotEmpty(t, n.mutations(), "the first run must create the containers")
	assert.Contains(t, sshd.log(t), "Accepted publickey for "+sshd.user,
		"the play must have logged in through the test's sshd")

	installed, err := os.ReadFile(filepath.Join(workDir, "coll", "ansible_collections", "phoenix", "hypervisor",
		"plugins", "modules", "phoenix_lxc"))
	require.NoError(t, err)
	copies, err := filepath.Glob(filepath.Join(n.dir, "tmp", "ansible-tmp-*", "AnsiballZ_phoenix_lxc"))
	require.NoError(t, err)
	require.NotEmpty(t, copies, "the module must have been copied to the target's remote temp folder")
	sent, err := os.ReadFile(copies[0])
	require.NoError(t, err)
	assert.True(t, bytes.Equal(installed, sent), "the target must receive the installed binary unchanged")

	second := n.playbookOn("sshtarget", args, env, "converge.yml")
	require.NoError(t, second.err, second.out)
	assert.Equal(t, 0, second.changed, "a converged rerun over SSH must show changed=0:\n%s", second.out)
	assert.Equal(t, false, n.result()["changed"])
	assert.Empty(t, n.mutations(), "a converged rerun must not write")
}
