// Package fixturenode lays out an emulated Proxmox node (a pctemu state
// folder) on which the shared fixture fleet,
// ../shared/fixtures/phoenix/phoenix_lxc_configs.json, converges unchanged:
// its template at the path the fixture names, its bridges, the NVIDIA device nodes its
// GPU containers ask for, a feature script for each feature and an
// application script for each container. The hypervisor config is left
// out: its shared volumes name real host folders.
package fixturenode

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Spec is what the node needs to know of one fixture container.
type Spec struct {
	Template          string   `json:"template"`
	Features          []string `json:"features"`
	ApplicationScript string   `json:"application_script"`
	CloneFromCTID     any      `json:"clone_from_ctid"` // a number or a string in the fixture
	Dependencies      []any    `json:"dependencies"`
	NetworkConfig     struct {
		Bridge string `json:"bridge"`
	} `json:"network_config"`
}

// Needs is what must be done before the container: its clone source and
// dependencies.
func (s Spec) Needs() []int {
	var out []int
	for _, v := range append([]any{s.CloneFromCTID}, s.Dependencies...) {
		if n, err := strconv.Atoi(strings.TrimSpace(fmt.Sprint(v))); err == nil && v != nil {
			out = append(out, n)
		}
	}
	return out
}

// Source is the clone source, 0 when created from a template.
func (s Spec) Source() int {
	n, _ := strconv.Atoi(strings.TrimSpace(fmt.Sprint(s.CloneFromCTID)))
	return n
}

// Load reads the fixture's containers.
func Load(path string) (map[int]Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cfg struct {
		LXC map[string]Spec `json:"lxc_configs"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	out := map[int]Spec{}
	for k, s := range cfg.LXC {
		id, err := strconv.Atoi(k)
		if err != nil {
			return nil, fmt.Errorf("%s: key %q: %v", path, k, err)
		}
		out[id] = s
	}
	return out, nil
}

// Lay prepares the node under root (PCTEMU_ROOT) for the fleet, with the
// host scripts in scripts. Each script appends a line to log. Qdrant's
// installer (952) brings the curl its health check runs.
func Lay(fleet map[int]Spec, root, scripts, log string) error {
	write := func(path, content string, mode os.FileMode) error {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		return os.WriteFile(path, []byte(content), mode)
	}
	var ids []int
	for id := range fleet {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	for _, id := range ids {
		s := fleet[id]
		if b := s.NetworkConfig.Bridge; b != "" {
			if err := write(filepath.Join(root, "sys/class/net", b, "mtu"), "1500\n", 0o644); err != nil {
				return err
			}
		}
		if strings.HasPrefix(s.Template, "/") {
			if err := write(filepath.Join(root, s.Template), "", 0o644); err != nil {
				return err
			}
		}
		for _, f := range s.Features {
			if err := write(filepath.Join(scripts, "phoenix_hypervisor_feature_install_"+f+".sh"),
				"#!/bin/sh\necho "+f+" \"$@\" >> "+log+"\n", 0o755); err != nil {
				return err
			}
		}
		if s.ApplicationScript == "" {
			continue
		}
		body := "#!/bin/sh\necho app \"$@\" >> " + log + "\n"
		if id == 952 {
			body += "mkdir -p \"$PCTEMU_CT_ROOT/usr/bin\"\nprintf '#!/bin/sh\\nexit 0\\n' > \"$PCTEMU_CT_ROOT/usr/bin/curl\"\nchmod 755 \"$PCTEMU_CT_ROOT/usr/bin/curl\"\n"
		}
		if err := write(filepath.Join(scripts, s.ApplicationScript), body, 0o755); err != nil {
			return err
		}
	}
	for _, d := range []string{"nvidia0", "nvidia1", "nvidiactl", "nvidia-uvm", "nvidia-uvm-tools"} {
		if err := write(filepath.Join(root, "dev", d), "", 0o644); err != nil {
			return err
		}
	}
	return nil
}
