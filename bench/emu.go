package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/testkit"
)

// emuHost is one emulated Proxmox node (internal/testkit): the
// emulator's state folder, its pct call log, and the environment that
// points the module at both.
type emuHost struct {
	*testkit.Node
	dir, root, log string
	env            []string
}

// newEmuHost lays out an empty node under dir (a template in the cache,
// root granted the default id range).
func newEmuHost(b *bench, name string) *emuHost {
	dir := filepath.Join(b.work, name)
	n, err := testkit.NewNode(dir)
	must("emulator layout", err)
	h := &emuHost{Node: n, dir: dir, root: n.Root, log: n.Log}
	subid := filepath.Join(dir, "subid")
	must("emulator layout", os.WriteFile(subid, []byte("root:100000:65536\n"), 0o644))
	h.env = append(n.Env(b.pct), "PHOENIX_LXC_SUBUID="+subid, "PHOENIX_LXC_SUBGID="+subid)
	return h
}

// spec is the plain container the fleets are made of.
func spec(i int) map[string]any {
	return map[string]any{"name": fmt.Sprintf("ct%d", i), "memory_mb": 512, "cores": 1,
		"template": "local:vztmpl/debian-12.tar.zst", "storage_pool": "local-lvm", "storage_size_gb": 8,
		"network_config": map[string]any{"name": "eth0", "bridge": "vmbr0", "ip": "dhcp"},
		"mac_address":    fmt.Sprintf("52:54:00:00:%02X:%02X", i/256, i%256)}
}

// writeFleet writes a config file of n plain containers, CTIDs 1000 on,
// and returns its path.
func writeFleet(path string, n int, extra func(i int, s map[string]any)) string {
	cfgs := map[string]any{}
	for i := 0; i < n; i++ {
		s := spec(i)
		if extra != nil {
			extra(i, s)
		}
		cfgs[fmt.Sprint(1000+i)] = s
	}
	data, err := json.Marshal(map[string]any{"lxc_configs": cfgs})
	must("config file", err)
	must("config file", os.WriteFile(path, data, 0o644))
	return path
}

// result is the part of the module's JSON the bench reads.
type result struct {
	Changed    bool   `json:"changed"`
	Failed     bool   `json:"failed"`
	Msg        string `json:"msg"`
	Containers []struct {
		CTID    int `json:"ctid"`
		Actions []struct {
			Step       string  `json:"step"`
			Command    string  `json:"command"`
			Changed    bool    `json:"changed"`
			Done       bool    `json:"done"`
			DurationMS float64 `json:"duration_ms"`
		} `json:"actions"`
	} `json:"containers"`
}

// module runs the module as Ansible does (an args file) on this node and
// returns its parsed result; a failed run is an error.
func (h *emuHost) module(b *bench, args map[string]any) (result, error) {
	full := map[string]any{"backend": "pct", "node": "pve", "ctids": "all",
		"feature_script_dir": h.dir, "application_script_dir": h.dir}
	for k, v := range args {
		full[k] = v
	}
	data, _ := json.Marshal(full)
	argsFile := filepath.Join(h.dir, "args.json")
	if err := os.WriteFile(argsFile, data, 0o600); err != nil {
		return result{}, err
	}
	out, err := command(h.env, b.module, argsFile)
	var res result
	if jerr := json.Unmarshal(out, &res); jerr != nil {
		return res, fmt.Errorf("module output is not JSON (%v): %v", jerr, err)
	}
	if res.Failed {
		return res, fmt.Errorf("module failed: %s", res.Msg)
	}
	return res, nil
}

// pctCalls reads and clears the pct log: every call, and the
// state-changing ones among them (the emulator marks them).
func (h *emuHost) pctCalls() (calls, changing int) {
	calls, changing = len(h.Calls()), len(h.Mutations())
	h.ResetLog()
	return calls, changing
}

// confs lists the node's container conf files.
func (h *emuHost) confs() []string {
	files, _ := filepath.Glob(filepath.Join(h.root, "etc/pve/lxc/*.conf"))
	return files
}
