package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// emuHost is one emulated Proxmox node: the emulator's state folder, its
// pct call log, and the environment that points the module at both.
type emuHost struct {
	dir, root, log string
	env            []string
}

// newEmuHost lays out an empty node under dir (a template in the cache,
// root granted the default id range).
func newEmuHost(b *bench, name string) *emuHost {
	dir := filepath.Join(b.work, name)
	h := &emuHost{dir: dir, root: filepath.Join(dir, "root"), log: filepath.Join(dir, "pct.log")}
	cache := filepath.Join(h.root, "var/lib/vz/template/cache")
	must("emulator layout", os.MkdirAll(cache, 0o755))
	must("emulator layout", os.MkdirAll(filepath.Join(h.root, "dev"), 0o755))
	must("emulator layout", os.WriteFile(filepath.Join(cache, "debian-12.tar.zst"), nil, 0o644))
	must("emulator layout", os.MkdirAll(filepath.Join(h.root, "sys/class/net/vmbr0"), 0o755))
	must("emulator layout", os.WriteFile(filepath.Join(h.root, "sys/class/net/vmbr0/mtu"), []byte("1500\n"), 0o644))
	subid := filepath.Join(dir, "subid")
	must("emulator layout", os.WriteFile(subid, []byte("root:100000:65536\n"), 0o644))
	h.env = []string{"PCTEMU_ROOT=" + h.root, "PCTEMU_LOG=" + h.log, "PHOENIX_LXC_PCT=" + b.pct,
		"PHOENIX_LXC_PVE_ROOT=" + h.root, "PHOENIX_LXC_SUBUID=" + subid, "PHOENIX_LXC_SUBGID=" + subid}
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
// state-changing ones among them (the emulator marks them "! ").
func (h *emuHost) pctCalls() (calls, changing int) {
	data, _ := os.ReadFile(h.log)
	_ = os.Remove(h.log)
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			calls++
			if f[0] == "!" {
				changing++
			}
		}
	}
	return calls, changing
}

// confs lists the node's container conf files.
func (h *emuHost) confs() []string {
	files, _ := filepath.Glob(filepath.Join(h.root, "etc/pve/lxc/*.conf"))
	return files
}
