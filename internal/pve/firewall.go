package pve

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/pct"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// RenderFirewall writes a container's firewall in Proxmox's .fw format:
// an [OPTIONS] section with enable, and a [RULES] section with one line
// per rule, e.g. "IN ACCEPT -source 10.0.0.153 -p tcp -dport 6334 # qdrant".
// It refuses (checkFirewall) a rule pve-firewall would skip or misread, so
// even unvalidated input never yields such a line.
func RenderFirewall(fw *schema.Firewall) (string, error) {
	if err := checkFirewall(fw); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("[OPTIONS]\n\n")
	if fw.Enabled {
		b.WriteString("enable: 1\n")
	} else {
		b.WriteString("enable: 0\n")
	}
	if len(fw.Rules) == 0 {
		return b.String(), nil
	}
	b.WriteString("\n[RULES]\n\n")
	for _, r := range fw.Rules {
		f := []string{strings.ToUpper(r.Type), r.Action}
		for _, o := range [][2]string{{"-source", r.Source}, {"-dest", r.Dest}, {"-p", r.Proto}, {"-dport", r.Port}} {
			if o[1] != "" {
				f = append(f, o[0], o[1])
			}
		}
		if r.Comment != "" {
			f = append(f, "#", r.Comment)
		}
		b.WriteString(strings.Join(f, " ") + "\n")
	}
	return b.String(), nil
}

// checkFirewall applies the spec's rules for firewall rules
// (schema.CheckFirewallRule) again, for input that skipped validation.
func checkFirewall(fw *schema.Firewall) error {
	var ps schema.Problems
	for i, r := range fw.Rules {
		ps = append(ps, schema.CheckFirewallRule(fmt.Sprintf("firewall.rules[%d]", i), r)...)
	}
	if len(ps) > 0 {
		return ps
	}
	return nil
}

// firewallAction writes /etc/pve/firewall/<id>.fw when it differs from the
// spec; nil when it already matches.
func (b *Backend) firewallAction(ctid int, fw *schema.Firewall) (*backend.Action, error) {
	if fw == nil {
		return nil, nil
	}
	want, err := RenderFirewall(fw)
	if err != nil {
		return nil, err
	}
	path := b.C.Firewall(ctid)
	if have, err := b.readNode(path); err == nil && string(have) == want {
		return nil, nil
	}
	return &backend.Action{Step: "configure", Name: "write", Pseudo: true, Argv: []string{"write", path},
		Why: "firewall rules differ from the spec",
		Do: func(context.Context) error {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return fmt.Errorf("firewall of CT %d: %w", ctid, err)
			}
			return pct.WriteAtomic(path, []byte(want))
		}}, nil
}
