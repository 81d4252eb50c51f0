package ansible

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// feature runs testdata/plugin.yml for one feature and returns the play and
// the registered result of its task.
func (n *node) feature(name string, flags ...string) (play, map[string]any) {
	n.t.Helper()
	p := n.playbook("plugin.yml", append([]string{"-e", "feature=" + name}, flags...)...)
	return p, n.result()
}

// shippedSHA is the sha256 the installed collection lists for the binary of
// a Go architecture.
func shippedSHA(t *testing.T, arch string) string {
	t.Helper()
	data, err := os.ReadFile(installed("binaries/SHA256SUMS"))
	require.NoError(t, err)
	for _, l := range strings.Split(string(data), "\n") {
		if sum, name, ok := strings.Cut(l, "  "); ok && name == "phoenix_lxc_linux_"+arch {
			return sum
		}
	}
	t.Fatalf("no phoenix_lxc_linux_%s in SHA256SUMS:\n%s", arch, data)
	return ""
}

// cacheNames are the names in the node's cache folder.
func cacheNames(t *testing.T, n *node) []string {
	var names []string
	for _, f := range cachedBinaries(t, n) {
		names = append(names, filepath.Base(f))
	}
	return names
}

// The action plugin keeps what Ansible promises a module task: environment:
// reaches the binary, become runs it as the become user, delegate_to runs it
// on (and picks the binary of) the delegate, async/poll and async_status
// work, a target without Python is fine (but not for async), and
// module_defaults fills options through the action group.
func TestActionPluginKeepsAnsiblesPromises(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the expectations name the amd64 binary")
	}
	n := newNode(t)
	amd64 := shippedSHA(t, "amd64")

	p, res := n.feature("plain")
	require.NoError(t, p.err, p.out)
	assert.Equal(t, true, res["changed"], "the first run creates the fleet")
	assert.NotEmpty(t, n.mutations())
	assert.Equal(t, []string{amd64}, cacheNames(t, n), "the binary is cached under its sha256")
	info, err := os.Stat(filepath.Join(n.dir, "cache"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), info.Mode().Perm(), "the cache folder is root's alone")

	p, res = n.feature("plain")
	require.NoError(t, p.err, p.out)
	assert.Equal(t, 0, p.changed, p.out)
	assert.Equal(t, false, res["changed"])
	assert.Empty(t, n.mutations())

	p, res = n.feature("no_environment")
	assert.Equal(t, true, res["failed"], "without environment: the module looks for the real pct: %v", res)
	assert.Contains(t, res["msg"], "/usr/sbin/pct not found")

	p, res = n.feature("become")
	require.NoError(t, p.err, p.out)
	assert.Equal(t, false, res["changed"], res)

	p, res = n.feature("become_nobody")
	assert.Equal(t, true, res["failed"], "become_user nobody must not run it: %v", res)
	assert.Contains(t, res["msg"], "needs root: become: true")
	assert.Empty(t, n.mutations())

	// The inventory host is unreachable and says arm64: delegated, the task
	// runs on localhost, with localhost's binary.
	inv := filepath.Join(n.dir, "elsewhere.yml")
	n.write("elsewhere.yml", "all:\n  hosts:\n    elsewhere:\n      ansible_connection: ssh\n      ansible_host: 192.0.2.1\n      phoenix_lxc_binary_arch: arm64\n", 0o644)
	p = n.playbookOn("elsewhere", []string{"-i", inv, "-e", "target=elsewhere"}, nil, "plugin.yml", "-e", "feature=delegate")
	require.NoError(t, p.err, p.out)
	res = n.result()
	assert.Equal(t, false, res["changed"], res)
	assert.Equal(t, []string{amd64}, cacheNames(t, n), "the delegate's architecture, not the inventory host's")

	// The plugin runs only sh and coreutils on the target; async needs
	// Python there (Ansible's async_wrapper) and says so.
	n.vars["ansible_python_interpreter"] = "/nonexistent/python3"
	p = n.playbook("plugin.yml", "-e", "feature=no_python", "-e", "no_python=true")
	require.NoError(t, p.err, p.out)
	assert.Equal(t, 0, p.changed, p.out)
	p = n.playbook("plugin.yml", "-e", "feature=async_no_python", "-e", "no_python=true")
	assert.Regexp(t, `fatal: \[localhost\]: FAILED!.*/nonexistent/python3`, p.out, "async needs Python and says which")
	n.vars["ansible_python_interpreter"] = "/usr/bin/python3"

	for _, f := range []string{"async", "async_nopoll"} {
		p, res = n.feature(f)
		require.NoError(t, p.err, p.out)
		assert.EqualValues(t, 1, res["finished"], "%s: %v", f, res)
		assert.Equal(t, false, res["changed"], "%s: the module's own result: %v", f, res)
		assert.Len(t, res["containers"], 2, f)
	}
	assert.Empty(t, n.mutations())
}

// A secret in the task's args travels on stdin (no args file on the
// target) and is masked in the result's invocation; with no_log the output
// holds no result at all.
func TestActionPluginMasksSecrets(t *testing.T) {
	n := newNode(t)
	const secret = "Plain-Text-S3cret"
	n.vars["secret"] = secret
	p, res := n.feature("secret", "-vvv", "--diff")
	require.NoError(t, p.err, p.out)
	assert.Equal(t, true, res["changed"], "check mode plans the create: %v", res)
	// -vvv prints the result with its invocation (a registered result has none)
	assert.Regexp(t, `"invocation": \{\s*"module_args": \{(?s:.)*"password": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"`, p.out)
	assert.NotContains(t, p.out, secret, "not in the -vvv output")
	assertNoFileHolds(t, filepath.Join(n.dir, "tmp"), secret)

	p, res = n.feature("secret", "-e", "hide=true", "-v")
	require.NoError(t, p.err, p.out)
	assert.Contains(t, p.out, "the output has been hidden due to the fact that 'no_log: true' was specified")
	assert.NotContains(t, p.out, secret)
	assert.NotContains(t, mustJSON(t, res), secret, "the registered result")
}

func mustJSON(t *testing.T, v any) string {
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}

// assertNoFileHolds fails when a file under dir holds s.
func assertNoFileHolds(t *testing.T, dir, s string) {
	t.Helper()
	_ = filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			data, _ := os.ReadFile(path)
			assert.False(t, bytes.Contains(data, []byte(s)), "%s holds the secret", path)
		}
		return nil
	})
}

// One collection serves both architectures: the gathered facts pick this
// host's binary; a target whose uname -m says aarch64 (no facts) gets the
// arm64 binary, which runs under qemu-user-static; phoenix_lxc_binary_arch
// beats both.
func TestOneCollectionServesBothArchitectures(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the expectations are those of an amd64 controller and target")
	}
	n := newNode(t)
	amd64, arm64 := shippedSHA(t, "amd64"), shippedSHA(t, "arm64")

	p, _ := n.feature("plain", "-e", "facts=true")
	require.NoError(t, p.err, p.out)
	assert.Equal(t, []string{amd64}, cacheNames(t, n), "ansible_facts.architecture is x86_64")
	n.mutations()

	// A uname on PATH that says aarch64: the target of the local connection
	// is this machine, its commands run with the playbook's PATH.
	fake := filepath.Join(n.dir, "fakebin")
	n.write("fakebin/uname", "#!/bin/sh\necho aarch64\n", 0o755)
	aarch64 := []string{"PATH=" + fake + ":" + os.Getenv("PATH")}
	p = n.playbookOn("localhost", []string{"-i", "localhost,"}, aarch64, "plugin.yml", "-e", "feature=plain_may_fail")
	res := n.result()
	assert.ElementsMatch(t, []string{amd64, arm64}, cacheNames(t, n), "uname -m said aarch64: the arm64 binary is sent")
	cached := filepath.Join(n.dir, "cache", arm64)
	if _, err := os.Stat("/proc/sys/fs/binfmt_misc/qemu-aarch64"); err == nil {
		require.NoError(t, p.err, p.out)
		assert.Equal(t, false, res["changed"], "run under qemu through binfmt_misc: %v", res)
	} else {
		// No binfmt_misc here (a container): the kernel cannot run it, so
		// the task fails, and the same file runs under qemu directly.
		assert.Equal(t, true, res["failed"], res)
		if _, err := exec.LookPath("qemu-aarch64-static"); err != nil {
			t.Log("qemu-aarch64-static is not installed (apt-get install qemu-user-static): the arm64 binary is not run")
		} else {
			args, _ := json.Marshal(map[string]any{"ctids": "all", "config_file": n.vars["phoenix_lxc_config_file"], "backend": "pct", "node": "pve",
				"application_script_dir": n.vars["phoenix_lxc_application_script_dir"], "feature_script_dir": n.vars["phoenix_lxc_feature_script_dir"]})
			cmd := exec.Command("qemu-aarch64-static", cached, "-")
			cmd.Stdin = bytes.NewReader(args)
			for k, v := range n.vars["phoenix_lxc_environment"].(map[string]string) {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			out, err := cmd.Output()
			require.NoError(t, err, "%s", out)
			var obj map[string]any
			require.NoError(t, json.Unmarshal(out, &obj), "%s", out)
			assert.Equal(t, false, obj["changed"], "the cached arm64 binary converges the same fleet: %v", obj)
			assert.Equal(t, false, obj["failed"], obj)
		}
	}
	assert.Empty(t, n.mutations())

	require.NoError(t, os.Remove(cached))
	p = n.playbookOn("localhost", []string{"-i", "localhost,"}, aarch64, "plugin.yml", "-e", "feature=plain", "-e", "phoenix_lxc_binary_arch=x86_64")
	require.NoError(t, p.err, p.out)
	assert.Equal(t, false, n.result()["changed"])
	assert.Equal(t, []string{amd64}, cacheNames(t, n), "phoenix_lxc_binary_arch beats uname -m")
}

// ansible-doc finds the module of the installed collection by its FQCN
// (the stub at plugins/modules/phoenix_lxc and its phoenix_lxc.yml), and,
// the stub being text, even lists it.
func TestAnsibleDocByFQCN(t *testing.T) {
	installCollection(t)
	doc := func(args ...string) string {
		cmd := exec.Command("ansible-doc", args...)
		cmd.Env = append(os.Environ(), "ANSIBLE_COLLECTIONS_PATH="+filepath.Join(workDir, "coll"), "ANSIBLE_NOCOLOR=1")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "ansible-doc %v:\n%s", args, out)
		return string(out)
	}
	assert.Contains(t, doc("phoenix.hypervisor.phoenix_lxc"), "> PHOENIX.HYPERVISOR.PHOENIX_LXC")
	assert.Contains(t, doc("-s", "phoenix.hypervisor.phoenix_lxc"), "config_file:")
	assert.Contains(t, doc("-l", "phoenix.hypervisor"), "phoenix.hypervisor.phoenix_lxc")
}

// The cache folder is trusted only when it is root's alone: a symlink, or a
// folder others may write to, is refused and nothing runs; a cached file
// whose content is not the collection's binary is replaced before it runs.
func TestCacheFolderIsRootsAlone(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the cache folder must be root's")
	}
	n := newNode(t)
	cache := filepath.Join(n.dir, "cache")
	elsewhere := filepath.Join(n.dir, "elsewhere")
	require.NoError(t, os.Mkdir(elsewhere, 0o700))
	require.NoError(t, os.Symlink(elsewhere, cache))
	p, res := n.feature("plain_may_fail")
	require.NoError(t, p.err, p.out)
	assert.Equal(t, true, res["failed"], res)
	assert.Contains(t, res["msg"], "cache folder "+cache+" is refused")
	assert.Empty(t, n.mutations(), "nothing ran")
	entries, _ := os.ReadDir(elsewhere)
	assert.Empty(t, entries, "nothing was written through the symlink")

	require.NoError(t, os.Remove(cache))
	require.NoError(t, os.Mkdir(cache, 0o700))
	require.NoError(t, os.Chmod(cache, 0o777))
	p, res = n.feature("plain_may_fail")
	require.NoError(t, p.err, p.out)
	assert.Contains(t, res["msg"], "is refused", "a folder others may write to")
	assert.Empty(t, n.mutations())

	require.NoError(t, os.Chmod(cache, 0o700))
	amd64 := shippedSHA(t, runtime.GOARCH)
	planted := filepath.Join(cache, amd64)
	require.NoError(t, os.WriteFile(planted, []byte("#!/bin/sh\necho '{\"changed\": false, \"msg\": \"planted\"}'\n"), 0o700))
	p, res = n.feature("plain")
	require.NoError(t, p.err, p.out)
	assert.Equal(t, true, res["changed"], "the real binary ran and created the fleet: %v", res)
	assert.NotEqual(t, "planted", res["msg"])
	want, err := os.ReadFile(installed("binaries/phoenix_lxc_linux_" + runtime.GOARCH))
	require.NoError(t, err)
	got, err := os.ReadFile(planted)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want, got), "the file with the wrong content was replaced")
}
