// Package e2e runs the built phoenix_lxc binary the way Ansible does (an
// args file, one JSON object out) against the pct emulator.
package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/testkit"

	"github.com/stretchr/testify/require"
)

var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "phoenix-e2e-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	for _, b := range [][2]string{{"phoenix_lxc", "."}, {"pct", "./tests/pctemu"}} {
		if _, err := testkit.Build(dir, b[0], b[1]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// host is one emulated Proxmox node: its state folder, pct log, scripts,
// and a folder for shared volumes.
type host struct {
	t testing.TB
	*testkit.Node
	dir     string
	root    string
	log     string
	scripts string
	vols    string
	locks   string // the run locks of this host's runs (PHOENIX_LXC_LOCK_DIR)
	env     []string
}

func newHost(t testing.TB) *host {
	dir := t.TempDir()
	n, err := testkit.NewNode(dir)
	require.NoError(t, err)
	h := &host{t: t, Node: n, dir: dir, root: n.Root, log: n.Log,
		scripts: filepath.Join(dir, "scripts"), vols: filepath.Join(dir, "vols"), locks: filepath.Join(dir, "locks")}
	for _, d := range []string{h.scripts, h.vols} {
		require.NoError(t, os.MkdirAll(d, 0o755))
	}
	h.write("subid", "root:100000:65536\nroot:1000:1\n", 0o644)
	h.write("scripts/phoenix_hypervisor_feature_install_base_setup.sh", "#!/bin/sh\necho \"$@\" >> "+filepath.Join(dir, "features.log")+"\n", 0o755)
	h.write("scripts/app.sh", "#!/bin/sh\necho app ran > \"$PCTEMU_CT_ROOT/app.out\"\n", 0o755)
	h.env = append(append(os.Environ(), n.Env(filepath.Join(binDir, "pct"))...),
		"PHOENIX_LXC_SUBUID="+filepath.Join(dir, "subid"), "PHOENIX_LXC_SUBGID="+filepath.Join(dir, "subid"),
		"PHOENIX_LXC_LOCK_DIR="+h.locks)
	return h
}

func (h *host) write(rel, content string, mode os.FileMode) {
	p := filepath.Join(h.dir, rel)
	require.NoError(h.t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(h.t, os.WriteFile(p, []byte(content), mode))
}

// fleet writes the test fleet: template 900 (snapshot base), 901 cloned from
// it with a shared volume owned by container 1000:1000 and an application
// script, 902 cloned from it with a custom map passing host id 1000 through.
func (h *host) fleet() string {
	cfg := fmt.Sprintf(`{"lxc_configs": {
 "900": {"name": "tpl", "memory_mb": 1024, "cores": 2, "template": "local:vztmpl/debian-12.tar.zst", "storage_pool": "local-lvm", "storage_size_gb": 8,
         "network_config": {"name": "eth0", "bridge": "vmbr0", "ip": "10.0.0.200/24", "gw": "10.0.0.1"}, "mac_address": "52:54:00:AA:BB:CC",
         "unprivileged": true, "template_snapshot_name": "base-snapshot", "features": ["base_setup"]},
 "901": {"name": "app", "memory_mb": 2048, "cores": 2, "storage_pool": "local-lvm", "storage_size_gb": 16, "clone_from_ctid": "900",
         "network_config": {"name": "eth0", "bridge": "vmbr0", "ip": "10.0.0.201/24", "gw": "10.0.0.1"}, "mac_address": "52:54:00:AA:BB:CD",
         "application_script": "app.sh", "shared_volumes": [{"host_path": %q, "mount_path": "/data", "owner": "1000:1000", "mode": "0750"}],
         "pct_options": ["nesting=1"], "firewall": {"enabled": true, "rules": [{"type": "in", "action": "ACCEPT", "source": "10.0.0.153", "proto": "tcp", "port": "6334"}]}},
 "902": {"name": "pass", "memory_mb": 512, "cores": 1, "storage_pool": "local-lvm", "storage_size_gb": 8, "clone_from_ctid": 900,
         "network_config": {"name": "eth0", "bridge": "vmbr0", "ip": "dhcp"}, "mac_address": "52:54:00:AA:BB:CE",
         "idmap": ["u 0 100000 1000", "g 0 100000 1000", "u 1000 1000 1", "g 1000 1000 1", "u 1001 101001 64535", "g 1001 101001 64535"]}
}}`, filepath.Join(h.vols, "data"))
	h.write("fleet.json", cfg, 0o644)
	return filepath.Join(h.dir, "fleet.json")
}

// run runs the module with args (plus the test's folders; a nil value
// deletes one) and returns its one JSON object.
func (h *host) run(args map[string]any, extraEnv ...string) map[string]any {
	h.t.Helper()
	full := map[string]any{"backend": "pct", "node": "pve", "feature_script_dir": h.scripts, "application_script_dir": h.scripts, "ctids": "all"}
	for k, v := range args {
		full[k] = v
		if v == nil {
			delete(full, k)
		}
	}
	data, _ := json.Marshal(full)
	argsFile := filepath.Join(h.dir, "args.json")
	require.NoError(h.t, os.WriteFile(argsFile, data, 0o600))
	cmd := exec.Command(filepath.Join(binDir, "phoenix_lxc"), argsFile)
	cmd.Env = append(append([]string{}, h.env...), extraEnv...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, _ := cmd.Output()
	var res map[string]any
	require.NoError(h.t, json.Unmarshal(out, &res), "stdout must be one JSON object: %s\nstderr: %s", out, stderr.String())
	return res
}

// pctCalls returns the pct invocations logged since the last reset,
// without the emulator's mark.
func (h *host) pctCalls() []string { return h.Calls() }

func (h *host) resetLog() { h.ResetLog() }

// mutations are the state-changing pct invocations since the last reset,
// as the emulator marks them.
func (h *host) mutations() []string { return h.Mutations() }

// actions flattens the result's planned or performed actions as "step command".
func actions(res map[string]any) []string {
	var out []string
	cs, _ := res["containers"].([]any)
	for _, c := range cs {
		for _, a := range c.(map[string]any)["actions"].([]any) {
			am := a.(map[string]any)
			out = append(out, am["step"].(string)+" "+am["command"].(string))
		}
	}
	return out
}

// confs reads every container conf, with what is random by nature (clone
// MACs, snapshot times) masked, so two runs can be compared.
func (h *host) confs() map[string]string {
	out := map[string]string{}
	files, _ := filepath.Glob(filepath.Join(h.root, "etc/pve/lxc/*.conf"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		var lines []string
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, "snaptime:") {
				continue
			}
			lines = append(lines, l)
		}
		out[filepath.Base(f)] = strings.Join(lines, "\n")
	}
	return out
}
