package ansible

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/testkit"

	"github.com/stretchr/testify/require"
)

var (
	setupOnce sync.Once
	setupErr  error
	workDir   string // holds bin/pct and coll/ (the installed collection)
	tarball   string // the collection tarball make collection built
)

func TestMain(m *testing.M) {
	code := m.Run()
	if workDir != "" {
		os.RemoveAll(workDir)
	}
	os.Exit(code)
}

// installCollection builds the pct emulator and the collection tarball the
// way users get it (make collection: both architectures, staged and built
// in the test's folder, so the working tree is not written) and installs
// it, once per run. It skips the test when ansible-playbook is not installed.
func installCollection(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"ansible-playbook", "ansible-galaxy"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (apt-get install ansible-core)", tool)
		}
	}
	setupOnce.Do(func() { setupErr = setup() })
	require.NoError(t, setupErr)
}

func setup() error {
	dir, err := os.MkdirTemp("", "phoenix-ansible-")
	if err != nil {
		return err
	}
	workDir = dir
	steps := [][]string{
		{"make", "-s", "-C", repoRoot, "collection", "COLL_STAGE=" + filepath.Join(dir, "stage"), "COLL_DIST=" + dir},
	}
	for _, s := range steps {
		if err := runStep(s); err != nil {
			return err
		}
	}
	if _, err := testkit.Build(filepath.Join(dir, "bin"), "pct", "./tests/pctemu"); err != nil {
		return err
	}
	tarballs, _ := filepath.Glob(filepath.Join(dir, "phoenix-hypervisor-*.tar.gz"))
	if len(tarballs) != 1 {
		return fmt.Errorf("want one collection tarball in %s, found %v", dir, tarballs)
	}
	tarball = tarballs[0]
	return runStep([]string{"ansible-galaxy", "collection", "install", "--force", "-p", filepath.Join(dir, "coll"), tarball})
}

func runStep(s []string) error {
	cmd := exec.Command(s[0], s[1:]...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v\n%s", strings.Join(s, " "), err, out)
	}
	return nil
}

// installed is the path of a file of the installed collection.
func installed(rel string) string {
	return filepath.Join(workDir, "coll", "ansible_collections", "phoenix", "hypervisor", rel)
}

// node is one emulated Proxmox node and the role inputs that point at it.
type node struct {
	t *testing.T
	*testkit.Node
	dir  string
	root string // PCTEMU_ROOT
	log  string // PCTEMU_LOG
	vars map[string]any
}

func newNode(t *testing.T) *node {
	installCollection(t)
	dir := t.TempDir()
	emu, err := testkit.NewNode(dir)
	require.NoError(t, err)
	n := &node{t: t, Node: emu, dir: dir, root: emu.Root, log: emu.Log}
	n.write("subid", "root:100000:65536\n", 0o644)
	n.write("scripts/app.sh", "#!/bin/sh\necho app ran\n", 0o755)
	n.vars = map[string]any{
		"phoenix_lxc_backend":                "pct",
		"phoenix_lxc_node":                   "pve",
		"phoenix_lxc_config_file":            filepath.Join(dir, "fleet.json"),
		"phoenix_lxc_application_script_dir": filepath.Join(dir, "scripts"),
		"phoenix_lxc_feature_script_dir":     filepath.Join(dir, "scripts"),
		"result_file":                        filepath.Join(dir, "result.json"),
		"ansible_python_interpreter":         "/usr/bin/python3",
		"phoenix_lxc_cache_dir":              filepath.Join(dir, "cache"),
		"phoenix_lxc_environment": map[string]string{
			"PCTEMU_ROOT": n.root, "PCTEMU_LOG": n.log, "PHOENIX_LXC_PVE_ROOT": n.root,
			"PHOENIX_LXC_PCT":    filepath.Join(workDir, "bin", "pct"),
			"PHOENIX_LXC_SUBUID": filepath.Join(dir, "subid"), "PHOENIX_LXC_SUBGID": filepath.Join(dir, "subid"),
			"PHOENIX_LXC_LOCK_DIR": filepath.Join(dir, "locks"),
		},
	}
	n.fleet(2048)
	return n
}

func (n *node) write(rel, content string, mode os.FileMode) {
	p := filepath.Join(n.dir, rel)
	require.NoError(n.t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(n.t, os.WriteFile(p, []byte(content), mode))
}

// fleet writes a template 900 with a snapshot and a clone 901 of it with a
// shared volume and an application script; memory is 901's memory_mb.
func (n *node) fleet(memory int) {
	n.write("fleet.json", fmt.Sprintf(`{"lxc_configs": {
 "900": {"name": "tpl", "memory_mb": 1024, "cores": 1, "template": "local:vztmpl/debian-12.tar.zst",
         "storage_pool": "local-lvm", "storage_size_gb": 8, "unprivileged": true, "template_snapshot_name": "base"},
 "901": {"name": "app", "memory_mb": %d, "cores": 2, "clone_from_ctid": 900, "application_script": "app.sh",
         "shared_volumes": [{"host_path": %q, "mount_path": "/data", "owner": "1000:1000", "mode": "0750"}]}
}}`, memory, filepath.Join(n.dir, "vols", "data")), 0o644)
}

// play is what one ansible-playbook run printed and its play recap.
type play struct {
	out                 string
	err                 error
	ok, changed, failed int
}

// playbook runs ansible-playbook on testdata/<name> against localhost with
// the node's vars.
func (n *node) playbook(name string, flags ...string) play {
	n.t.Helper()
	return n.playbookOn("localhost", []string{"-i", "localhost,"}, nil, name, flags...)
}

// playbookOn runs ansible-playbook on testdata/<name> with the node's vars,
// the given inventory arguments and extra environment, and reads the play
// recap line of host.
func (n *node) playbookOn(host string, inventory, env []string, name string, flags ...string) play {
	n.t.Helper()
	vars, err := json.Marshal(n.vars)
	require.NoError(n.t, err)
	n.write("vars.json", string(vars), 0o600)
	args := append(append(append([]string{}, inventory...),
		"-e", "@"+filepath.Join(n.dir, "vars.json"), filepath.Join("testdata", name)), flags...)
	cmd := exec.Command("ansible-playbook", args...)
	cmd.Env = append(append(os.Environ(), "ANSIBLE_COLLECTIONS_PATH="+filepath.Join(workDir, "coll"),
		"ANSIBLE_NOCOLOR=1", "ANSIBLE_RETRY_FILES_ENABLED=0", "ANSIBLE_LOCAL_TEMP="+filepath.Join(n.dir, "tmp"),
		"ANSIBLE_REMOTE_TEMP="+filepath.Join(n.dir, "tmp")), env...)
	out, err := cmd.CombinedOutput()
	p := play{out: string(out), err: err}
	recap := regexp.MustCompile(regexp.QuoteMeta(host) + `\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)`)
	m := recap.FindStringSubmatch(p.out)
	require.NotNil(n.t, m, "no play recap of %s in the output of ansible-playbook %s:\n%s", host, name, out)
	p.ok, _ = strconv.Atoi(m[1])
	p.changed, _ = strconv.Atoi(m[2])
	p.failed, _ = strconv.Atoi(m[3])
	return p
}

// result is the role's registered phoenix_lxc_result of the last run.
func (n *node) result() map[string]any {
	n.t.Helper()
	data, err := os.ReadFile(filepath.Join(n.dir, "result.json"))
	require.NoError(n.t, err)
	var res map[string]any
	require.NoError(n.t, json.Unmarshal(data, &res))
	require.NoError(n.t, os.Remove(filepath.Join(n.dir, "result.json")))
	return res
}

// mutations returns the state-changing pct calls logged since the last
// call, and starts a new log.
func (n *node) mutations() []string {
	out := n.Mutations()
	n.ResetLog()
	return out
}

// confs returns every container conf under the emulator's root.
func (n *node) confs() map[string]string {
	out := map[string]string{}
	files, _ := filepath.Glob(filepath.Join(n.root, "etc/pve/lxc/*.conf"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		out[filepath.Base(f)] = string(data)
	}
	return out
}

// cachedBinaries lists the files of the node's binary cache folder
// (phoenix_lxc_cache_dir), each named by its sha256.
func cachedBinaries(t *testing.T, n *node) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(n.dir, "cache", "*"))
	require.NoError(t, err)
	return files
}
