package pve

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/pct"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// Perl's \s and \S on the bytes of a .fw file (pve-firewall reads it
// without decoding): ASCII whitespace only.
const perlSpace = `[ \t\n\v\f\r]`
const perlWord = `[^ \t\n\v\f\r]+`

var (
	pveComment = regexp.MustCompile(`#` + perlSpace + `*(.*?)` + perlSpace + `*$`)
	pveHead    = regexp.MustCompile(`^(` + perlWord + `)` + perlSpace + `+(` + perlWord + `)` + perlSpace + `*`)
	pveOption  = regexp.MustCompile(`^(?:(-p|--?proto)|--?(dport|sport|source|dest|icmp-type)|-(i)) (` + perlWord + `)` + perlSpace + `*`)
)

// pveReadRules reads the [RULES] of a .fw file the way pve-firewall does
// (src/PVE/Firewall.pm): generic_fw_config_parser splits the file at "\n"
// and trims each line with /^\h*(.*?)\h*$/ (\h takes the byte 0xA0 too);
// parse_fw_rule cuts the comment at the first '#', a leading '|' disables
// the rule, then "TYPE ACTION" and -option VALUE pairs. A line it cannot
// parse is an error here (pve-firewall would skip it).
func pveReadRules(file string) ([]map[string]string, error) {
	var rules []map[string]string
	section := ""
	for _, line := range strings.Split(file, "\n") {
		line = trimH(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "["):
			section = strings.ToLower(line)
			continue
		case section != "[rules]":
			continue
		}
		rule := map[string]string{}
		if m := pveComment.FindStringSubmatchIndex(line); m != nil {
			rule["comment"] = line[m[2]:m[3]]
			line = line[:m[0]]
		}
		if rest, ok := strings.CutPrefix(line, "|"); ok {
			rule["disabled"], line = "1", rest
		}
		m := pveHead.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("unable to parse rule: %q", line)
		}
		rule["type"], rule["action"] = strings.ToLower(m[1]), m[2]
		line = line[len(m[0]):]
		for line != "" {
			o := pveOption.FindStringSubmatch(line)
			if o == nil {
				return nil, fmt.Errorf("unable to parse rule parameters: %q", line)
			}
			name := map[bool]string{true: "proto", false: o[2] + o[3]}[o[1] != ""]
			rule[name] = o[4]
			line = line[len(o[0]):]
		}
		rules = append(rules, rule)
	}
	return rules, nil
}

// trimH trims what Perl's \h matches in a byte string: space, tab, 0xA0.
func trimH(s string) string {
	isH := func(b byte) bool { return b == ' ' || b == '\t' || b == 0xa0 }
	for s != "" && isH(s[0]) {
		s = s[1:]
	}
	for s != "" && isH(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// asWritten is what pve-firewall must read back for a rule.
func asWritten(r schema.FirewallRule) map[string]string {
	m := map[string]string{"type": r.Type, "action": r.Action}
	for k, v := range map[string]string{"source": r.Source, "dest": r.Dest, "proto": r.Proto, "dport": r.Port, "comment": r.Comment} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// Valid rules are read back by pve-firewall's parser exactly as written.
func TestRenderFirewallReadsBackAsWritten(t *testing.T) {
	fw := &schema.Firewall{Enabled: true, Rules: []schema.FirewallRule{
		{Type: "in", Action: "ACCEPT", Source: "10.0.0.153", Proto: "tcp", Port: "6334", Comment: "qdrant"},
		{Type: "out", Action: "DROP", Dest: "fd00::/64,fd01::1", Proto: "udp", Port: "53,5353:5360", Comment: "dns # not mdns, voilà!"},
		{Type: "in", Action: "REJECT", Source: "+admins", Dest: "10.0.0.1-10.0.0.9"},
	}}
	out, err := RenderFirewall(fw)
	require.NoError(t, err)
	got, err := pveReadRules(out)
	require.NoError(t, err)
	require.Len(t, got, len(fw.Rules))
	for i, r := range fw.Rules {
		assert.Equal(t, asWritten(r), got[i])
	}
}

// Defence in depth: whatever a caller passes, unvalidated, RenderFirewall
// either refuses it or writes a line pve-firewall reads back as written.
func TestRenderFirewallNeverWritesALineProxmoxMisreads(t *testing.T) {
	hostile := []string{
		"10.0.0.153 #", "10.0.0.153#", "#", " # x", "10.0.0.1 -dport 1", "-p", "|IN",
		"x\ny", "x\r", "x\u2028y", "x\u2029", "x\u0085y", "x\u00a0", "x\u3000y", "x\u200b",
		"voilà", "ok ", " ok", "\xff", "fd00::1", "10.0.0.5/24", "ACCEPT", "icmp", "22",
	}
	base := schema.FirewallRule{Type: "in", Action: "ACCEPT", Source: "10.0.0.153", Proto: "tcp", Port: "6334", Comment: "ok"}
	fields := map[string]func(*schema.FirewallRule, string){
		"type": func(r *schema.FirewallRule, v string) { r.Type = v }, "action": func(r *schema.FirewallRule, v string) { r.Action = v },
		"source": func(r *schema.FirewallRule, v string) { r.Source = v }, "dest": func(r *schema.FirewallRule, v string) { r.Dest = v },
		"proto": func(r *schema.FirewallRule, v string) { r.Proto = v }, "port": func(r *schema.FirewallRule, v string) { r.Port = v },
		"comment": func(r *schema.FirewallRule, v string) { r.Comment = v },
	}
	for name, set := range fields {
		for _, v := range hostile {
			r := base
			set(&r, v)
			out, err := RenderFirewall(&schema.Firewall{Enabled: true, Rules: []schema.FirewallRule{r}})
			if err != nil {
				assert.Empty(t, out)
				assert.Contains(t, err.Error(), "firewall.rules[0]")
				continue
			}
			got, perr := pveReadRules(out)
			if assert.NoError(t, perr, "%s=%q was rendered to a line pve-firewall cannot parse:\n%s", name, v, out) && assert.Len(t, got, 1) {
				assert.Equal(t, asWritten(r), got[0], "%s=%q is misread by pve-firewall:\n%s", name, v, out)
			}
		}
	}
}

// The smuggling of the issue: a comment equal to the source once exempted
// the source from the '#' check, and the line became an ACCEPT of every
// port (parse_fw_rule: the comment starts at the first '#').
func TestCheckFirewallRefusesCommentSmuggling(t *testing.T) {
	for _, r := range []schema.FirewallRule{
		{Type: "in", Action: "ACCEPT", Source: "10.0.0.153 #", Proto: "tcp", Port: "22", Comment: "10.0.0.153 #"},
		{Type: "in", Action: "ACCEPT", Source: "10.0.0.153#", Proto: "tcp", Port: "22", Comment: "10.0.0.153#"},
	} {
		err := checkFirewall(&schema.Firewall{Enabled: true, Rules: []schema.FirewallRule{r}})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "firewall.rules[0].source")
	}
}

// A refused firewall plans no write and leaves the .fw file alone.
func TestFirewallActionRefusesAndWritesNothing(t *testing.T) {
	b := New(runner.Exec{}, pct.DefaultPct, "/")
	b.C.Root = t.TempDir()
	for _, r := range []schema.FirewallRule{
		{Type: "in", Action: "DROP", Port: "22"},                                        // no proto
		{Type: "in", Action: "DROP", Source: "10.0.0.1", Dest: "fd00::1"},               // mixed families
		{Type: "in", Action: "DROP", Source: "10.0.0.1\u2028IN ACCEPT"},                 // Unicode separator
		{Type: "in", Action: "DROP", Proto: "tcp", Port: "22", Comment: "a\nIN ACCEPT"}, // line break
	} {
		act, err := b.firewallAction(960, &schema.Firewall{Enabled: true, Rules: []schema.FirewallRule{r}})
		assert.Error(t, err, "%+v", r)
		assert.Nil(t, act)
	}
	_, err := os.Stat(b.C.Firewall(960))
	assert.True(t, os.IsNotExist(err), "no .fw file")
}
