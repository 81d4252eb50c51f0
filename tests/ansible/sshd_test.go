package ansible

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// sshdPath is where Debian's openssh-server installs the daemon.
const sshdPath = "/usr/sbin/sshd"

// sshServer is an sshd started by a test on 127.0.0.1 with its own config,
// host key and client key, for key login as the user running the test.
type sshServer struct {
	port    int
	user    string
	key     string // the client's private key
	logFile string // sshd's log (-E)
}

// startSSHD starts sshd on a free high port and stops it when the test
// ends. It skips the test when openssh-server is not installed.
func startSSHD(t *testing.T) *sshServer {
	t.Helper()
	if _, err := os.Stat(sshdPath); err != nil {
		t.Skipf("%s is not installed (apt-get install openssh-server)", sshdPath)
	}
	for _, tool := range []string{"ssh", "ssh-keygen"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (apt-get install openssh-client)", tool)
		}
	}
	me, err := user.Current()
	require.NoError(t, err)
	if me.Uid == "0" {
		// sshd started by root needs its privilege separation folder.
		require.NoError(t, os.MkdirAll("/run/sshd", 0o755))
	}
	dir := t.TempDir()
	s := &sshServer{port: freePort(t), user: me.Username, key: filepath.Join(dir, "client_key"),
		logFile: filepath.Join(dir, "sshd.log")}
	hostKey := filepath.Join(dir, "host_key")
	for _, k := range []string{hostKey, s.key} {
		out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", k).CombinedOutput()
		require.NoError(t, err, "ssh-keygen: %s", out)
	}
	pub, err := os.ReadFile(s.key + ".pub")
	require.NoError(t, err)
	authorized := filepath.Join(dir, "authorized_keys")
	require.NoError(t, os.WriteFile(authorized, pub, 0o600))
	config := filepath.Join(dir, "sshd_config")
	require.NoError(t, os.WriteFile(config, []byte(fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
PidFile %s
AuthorizedKeysFile %s
AllowUsers %s
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem sftp /usr/lib/openssh/sftp-server
`, s.port, hostKey, filepath.Join(dir, "sshd.pid"), authorized, s.user)), 0o600))

	cmd := exec.Command(sshdPath, "-D", "-f", config, "-E", s.logFile)
	require.NoError(t, cmd.Start(), "starting sshd")
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	s.waitReady(t)
	return s
}

// waitReady waits until sshd accepts connections on its port.
func (s *sshServer) waitReady(t *testing.T) {
	t.Helper()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	log, _ := os.ReadFile(s.logFile)
	t.Fatalf("sshd did not listen on %s within 5s; its log:\n%s", addr, log)
}

// inventory writes an inventory with one host, named host, reached over
// SSH as the test's user with the test's key, and returns its path.
func (s *sshServer) inventory(t *testing.T, dir, host string) string {
	t.Helper()
	p := filepath.Join(dir, "ssh_inventory.yml")
	require.NoError(t, os.WriteFile(p, []byte(fmt.Sprintf(`all:
  hosts:
    %s:
      ansible_connection: ssh
      ansible_host: 127.0.0.1
      ansible_port: %d
      ansible_user: %s
      ansible_ssh_private_key_file: %s
      ansible_ssh_common_args: -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
`, host, s.port, s.user, s.key)), 0o600))
	return p
}

// log returns what sshd logged so far.
func (s *sshServer) log(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(s.logFile)
	require.NoError(t, err)
	return string(data)
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
