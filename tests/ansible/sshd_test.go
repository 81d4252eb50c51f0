package ansible

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/phoenix-hypervisor/phoenix_lxc/tests/sshd"
)

// startSSHD starts sshd (tests/sshd) on 127.0.0.1 and stops it when the
// test ends. It skips the test when openssh-server is not installed.
func startSSHD(t *testing.T) *sshd.Server {
	t.Helper()
	if m := sshd.Missing(); m != "" {
		t.Skipf("%s is not installed", m)
	}
	s, err := sshd.Start(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(s.Stop)
	return s
}

// sshInventory writes an inventory of one host, named host, reached through
// the server (or a proxy in front of it, at port), and returns its path.
func sshInventory(t *testing.T, s *sshd.Server, dir, host string, port int) string {
	t.Helper()
	p := dir + "/ssh_inventory.yml"
	require.NoError(t, s.Inventory(p, host, port))
	return p
}
