// Package sshd starts an OpenSSH server on 127.0.0.1 for the Ansible tests
// and the benchmark: its own config, host key and client key, key login as
// the user running it, and a TCP proxy in front of it that counts the bytes
// the client sends (what a playbook sends its target).
package sshd

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"
)

// Path is where Debian's openssh-server installs the daemon.
const Path = "/usr/sbin/sshd"

// Missing names the tool that is not installed (with its Debian package),
// or is empty when sshd, ssh and ssh-keygen are all there.
func Missing() string {
	if _, err := os.Stat(Path); err != nil {
		return Path + " (apt-get install openssh-server)"
	}
	for _, tool := range []string{"ssh", "ssh-keygen"} {
		if _, err := exec.LookPath(tool); err != nil {
			return tool + " (apt-get install openssh-client)"
		}
	}
	return ""
}

// Server is a running sshd.
type Server struct {
	Port    int
	User    string
	Key     string // the client's private key
	LogFile string // sshd's log (-E)
	cmd     *exec.Cmd
}

// Start starts sshd on a free port of 127.0.0.1 with its files in dir and
// waits until it accepts connections.
func Start(dir string) (*Server, error) {
	me, err := user.Current()
	if err != nil {
		return nil, err
	}
	if me.Uid == "0" {
		// sshd started by root needs its privilege separation folder.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			return nil, err
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{Port: port, User: me.Username, Key: filepath.Join(dir, "client_key"), LogFile: filepath.Join(dir, "sshd.log")}
	hostKey := filepath.Join(dir, "host_key")
	for _, k := range []string{hostKey, s.Key} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", k).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("ssh-keygen: %v: %s", err, out)
		}
	}
	pub, err := os.ReadFile(s.Key + ".pub")
	if err != nil {
		return nil, err
	}
	authorized := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(authorized, pub, 0o600); err != nil {
		return nil, err
	}
	config := filepath.Join(dir, "sshd_config")
	if err := os.WriteFile(config, []byte(fmt.Sprintf(`Port %d
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
`, s.Port, hostKey, filepath.Join(dir, "sshd.pid"), authorized, s.User)), 0o600); err != nil {
		return nil, err
	}
	s.cmd = exec.Command(Path, "-D", "-f", config, "-E", s.LogFile)
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting sshd: %w", err)
	}
	if err := waitListening(s.Port); err != nil {
		s.Stop()
		log, _ := os.ReadFile(s.LogFile)
		return nil, fmt.Errorf("%v; sshd's log:\n%s", err, log)
	}
	return s, nil
}

// Stop kills sshd.
func (s *Server) Stop() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

// Inventory writes an Ansible inventory of one host, named host, reached
// over SSH as the server's user with its key on port (the server's, or a
// proxy's in front of it).
func (s *Server) Inventory(path, host string, port int) error {
	return os.WriteFile(path, []byte(fmt.Sprintf(`all:
  hosts:
    %s:
      ansible_connection: ssh
      ansible_host: 127.0.0.1
      ansible_port: %d
      ansible_user: %s
      ansible_ssh_private_key_file: %s
      ansible_ssh_common_args: -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
`, host, port, s.User, s.Key)), 0o600)
}

// Proxy forwards TCP connections from its port to a port of 127.0.0.1 and
// counts the bytes the clients send.
type Proxy struct {
	Port int
	l    net.Listener
	sent atomic.Int64
}

// NewProxy listens on a free port of 127.0.0.1 and forwards to port to.
func NewProxy(to int) (*Proxy, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{Port: l.Addr().(*net.TCPAddr).Port, l: l}
	go p.serve(net.JoinHostPort("127.0.0.1", strconv.Itoa(to)))
	return p, nil
}

func (p *Proxy) serve(to string) {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			up, err := net.Dial("tcp", to)
			if err != nil {
				return
			}
			defer up.Close()
			done := make(chan struct{})
			go func() {
				_, _ = io.Copy(c, up)
				close(done)
			}()
			_, _ = io.Copy(counter{up, &p.sent}, c)
			<-done
		}()
	}
}

// Sent is the number of bytes the clients have sent so far.
func (p *Proxy) Sent() int64 { return p.sent.Load() }

// counter counts what is written through it.
type counter struct {
	w io.Writer
	n *atomic.Int64
}

func (c counter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n.Add(int64(n))
	return n, err
}

// Close stops accepting connections.
func (p *Proxy) Close() { _ = p.l.Close() }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitListening(port int) error {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("sshd did not listen on %s within 5s", addr)
}
