package pve

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// RenderFirewall writes a container's firewall in Proxmox's .fw format:
// an [OPTIONS] section with enable, and a [RULES] section with one line
// per rule, e.g. "IN ACCEPT -source 10.0.0.153 -p tcp -dport 6334".
func RenderFirewall(fw *schema.Firewall) string {
	var b strings.Builder
	b.WriteString("[OPTIONS]\n\n")
	if fw.Enabled {
		b.WriteString("enable: 1\n")
	} else {
		b.WriteString("enable: 0\n")
	}
	if len(fw.Rules) == 0 {
		return b.String()
	}
	b.WriteString("\n[RULES]\n\n")
	for _, r := range fw.Rules {
		f := []string{strings.ToUpper(r.Type), strings.ToUpper(r.Action)}
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
	return b.String()
}

// checkFirewall refuses values that would break out of their line.
func checkFirewall(fw *schema.Firewall) error {
	for i, r := range fw.Rules {
		for _, v := range []string{r.Type, r.Action, r.Source, r.Dest, r.Proto, r.Port, r.Comment} {
			if strings.ContainsAny(v, "\r\n") {
				return fmt.Errorf("firewall.rules[%d]: a value contains a line break", i)
			}
			if v != r.Comment && strings.ContainsAny(v, " \t#") {
				return fmt.Errorf("firewall.rules[%d]: %q must not contain spaces or '#'", i, v)
			}
		}
	}
	return nil
}

// firewallAction writes /etc/pve/firewall/<id>.fw when it differs from the
// spec; nil when it already matches.
func (b *Backend) firewallAction(ctid int, fw *schema.Firewall) (*backend.Action, error) {
	if fw == nil {
		return nil, nil
	}
	if err := checkFirewall(fw); err != nil {
		return nil, err
	}
	path := b.C.Firewall(ctid)
	want := RenderFirewall(fw)
	if have, err := os.ReadFile(path); err == nil && string(have) == want {
		return nil, nil
	}
	return &backend.Action{Step: "configure", Name: "write", Argv: []string{"write", path},
		Why: "firewall rules differ from the spec",
		Do: func(context.Context) error {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return fmt.Errorf("firewall of CT %d: %w", ctid, err)
			}
			return writeAtomic(path, []byte(want))
		}}, nil
}
