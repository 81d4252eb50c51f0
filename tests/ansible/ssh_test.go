package ansible

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	sshdpkg "github.com/phoenix-hypervisor/phoenix_lxc/tests/sshd"
)

// TestRoleOverSSH runs the installed collection's role on a host reached
// over real SSH (an sshd the test starts on 127.0.0.1), so the module
// binary travels the way it does for users: the action plugin uploads it
// once into the target's cache folder and runs it from there. A first run
// converges the fleet, a second reports changed=0 and writes nothing.
func TestRoleOverSSH(t *testing.T) {
	sshd := startSSHD(t)
	n := newNode(t)
	proxy, err := sshdpkg.NewProxy(sshd.Port) // counts what the controller sends
	require.NoError(t, err)
	t.Cleanup(proxy.Close)
	inv := sshInventory(t, sshd, n.dir, "sshtarget", proxy.Port)
	args := []string{"-i", inv, "-e", "target=sshtarget"}
	env := []string{"ANSIBLE_KEEP_REMOTE_FILES=1", "ANSIBLE_SSH_CONTROL_PATH_DIR=" + filepath.Join(n.dir, "cp")}

	first := n.playbookOn("sshtarget", args, env, "converge.yml")
	firstSent := proxy.Sent()
	require.NoError(t, first.err, first.out)
	assert.Equal(t, 1, first.changed, "only the module task changes something:\n%s", first.out)
	res := n.result()
	assert.Equal(t, true, res["changed"])
	assert.Len(t, res["containers"], 2, "one result per container of the fleet")
	assert.NotEmpty(t, n.mutations(), "the first run must create the containers")
	log, err := os.ReadFile(sshd.LogFile)
	require.NoError(t, err)
	assert.Contains(t, string(log), "Accepted publickey for "+sshd.User,
		"the play must have logged in through the test's sshd")

	cached := cachedBinaries(t, n)
	require.Len(t, cached, 1, "one binary in the cache folder")
	want, err := os.ReadFile(installed("binaries/phoenix_lxc_linux_amd64"))
	require.NoError(t, err)
	got, err := os.ReadFile(cached[0])
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want, got), "the target's cache must hold the collection's amd64 binary unchanged")
	copies, _ := filepath.Glob(filepath.Join(n.dir, "tmp", "ansible-tmp-*", "AnsiballZ_phoenix_lxc"))
	assert.Empty(t, copies, "the module does not go the way of a plain binary module (AnsiballZ_ file and args)")

	size := int64(len(want))

	second := n.playbookOn("sshtarget", args, env, "converge.yml")
	require.NoError(t, second.err, second.out)
	rerunSent := proxy.Sent() - firstSent
	t.Logf("sent to the target: first run %d bytes, converged rerun %d bytes (binary %d bytes)", firstSent, rerunSent, size)
	assert.Less(t, rerunSent, size/10, "a converged rerun sends less than a tenth of the binary")
	// ssh compresses (Ansible's ssh_args hold -C): the binary is about 40% of its size on the wire
	assert.Greater(t, firstSent-rerunSent, size/4, "the first run sent the binary")
	assert.Equal(t, 0, second.changed, "a converged rerun over SSH must show changed=0:\n%s", second.out)
	assert.Equal(t, false, n.result()["changed"])
	assert.Empty(t, n.mutations(), "a converged rerun must not write")
}
