package schema

import (
	"strings"
	"testing"
)

// Rules pve-firewall reads as written (src/PVE/Firewall.pm): they must stay
// accepted.
func TestFirewallRulesProxmoxReadsAreAccepted(t *testing.T) {
	for _, r := range []FirewallRule{
		// The shared fixture's rule (container 952).
		{Type: "in", Action: "ACCEPT", Source: "10.0.0.153", Proto: "tcp", Port: "6334"},
		{Type: "in", Action: "DROP"},
		{Type: "out", Action: "REJECT", Dest: "fd00::/64", Proto: "udp", Port: "53"},
		// parse_address_list: a list of one family; a range alone.
		{Type: "in", Action: "ACCEPT", Source: "10.0.0.0/24,192.168.1.7", Dest: "10.0.0.150-10.0.0.160"},
		{Type: "in", Action: "ACCEPT", Source: "fd00::1,fd00::/112", Dest: "fd00::2"},
		// parse_address_list: an IP set and an alias ($ipset_name_pattern, $ip_alias_pattern).
		{Type: "in", Action: "ACCEPT", Source: "+management", Dest: "my_alias-1"},
		// parse_port_name_number_or_range: lists and ranges, up to 15 numbers.
		{Type: "in", Action: "ACCEPT", Proto: "tcp", Port: "80,443,8000:8100,65535"},
		{Type: "in", Action: "ACCEPT", Proto: "tcp", Port: "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15"},
		// icmp is IPv4 (verify_rule: set_ip_version(4)).
		{Type: "in", Action: "ACCEPT", Proto: "icmp", Source: "10.0.0.0/8"},
		// parse_fw_rule takes everything after the first '#' as the comment.
		{Type: "in", Action: "ACCEPT", Proto: "tcp", Port: "22", Comment: "ssh # from the admin VLAN, voilà!"},
	} {
		if ps := CheckFirewallRule("r", r); len(ps) > 0 {
			t.Errorf("%+v refused: %v", r, ps)
		}
	}
}

func TestFirewallRulesProxmoxWouldSkipOrMisreadAreRefused(t *testing.T) {
	ok := FirewallRule{Type: "in", Action: "ACCEPT", Source: "10.0.0.153", Proto: "tcp", Port: "6334"}
	with := func(edit func(*FirewallRule)) FirewallRule { r := ok; edit(&r); return r }
	for _, c := range []struct {
		name  string
		rule  FirewallRule
		field string // the problem's field
		says  string // a part of its rule
	}{
		// parse_fw_rule: s/#\s*(.*?)\s*$// takes all after the first '#' as
		// the comment, so "-source 10.0.0.153 # -p tcp -dport 22" is a rule
		// for every port. A comment equal to the field once exempted it.
		{"comment smuggles ' #'", with(func(r *FirewallRule) { r.Source, r.Comment = "10.0.0.153 #", "10.0.0.153 #" }), "source", "whitespace"},
		{"comment smuggles '#'", with(func(r *FirewallRule) { r.Dest, r.Comment = "10.0.0.1#", "10.0.0.1#" }), "dest", "'#'"},
		// parse_fw_rule: fields are \S+ split on \s+; any whitespace or
		// non-ASCII character splits or corrupts a field.
		{"U+2028 in source", with(func(r *FirewallRule) { r.Source = "10.0.0.1\u2028IN" }), "source", "U+2028"},
		{"U+0085 in dest", with(func(r *FirewallRule) { r.Dest = "10.0.0.1\u0085" }), "dest", "U+0085"},
		{"no-break space in source", with(func(r *FirewallRule) { r.Source = "10.0.0.1\u00a0" }), "source", "U+00A0"},
		{"tab in port", with(func(r *FirewallRule) { r.Port = "22\t80" }), "port", "whitespace"},
		{"space in proto", with(func(r *FirewallRule) { r.Proto = "tcp -dport 1" }), "proto", "whitespace"},
		{"space in type", with(func(r *FirewallRule) { r.Type = "in " }), "type", "whitespace"},
		{"hash in action", with(func(r *FirewallRule) { r.Action = "ACCEPT#" }), "action", "'#'"},
		{"zero-width space in source", with(func(r *FirewallRule) { r.Source = "10.0.0.1\u200b" }), "source", "not printable ASCII"},
		// verify_rule: type in/out, action ACCEPT|DROP|REJECT, proto known.
		{"type", with(func(r *FirewallRule) { r.Type = "group" }), "type", "not in or out"},
		{"action", with(func(r *FirewallRule) { r.Action = "accept" }), "action", "not ACCEPT"},
		{"proto", with(func(r *FirewallRule) { r.Proto = "gre" }), "proto", "not tcp"},
		// verify_rule: "proto: missing property - 'dport' requires this property".
		{"port without proto", with(func(r *FirewallRule) { r.Proto = "" }), "port", "without proto"},
		// verify_rule/ipt_rule_to_cmds: with icmp the dport is the ICMP type.
		{"port with icmp", with(func(r *FirewallRule) { r.Proto, r.Source = "icmp", "" }), "port", "tcp or udp"},
		// verify_rule: set_ip_version dies "detected mixed ipv4/ipv6 addresses in rule".
		{"source v4, dest v6", with(func(r *FirewallRule) { r.Dest = "fd00::1" }), "dest", "mixes IPv4 and IPv6"},
		{"icmp and an IPv6 source", with(func(r *FirewallRule) { r.Proto, r.Port, r.Source = "icmp", "", "fd00::/64" }), "source", "proto icmp is IPv4"},
		// parse_address_list: "detected mixed ipv4/ipv6 addresses in address list".
		{"mixed list", with(func(r *FirewallRule) { r.Source = "10.0.0.1,fd00::1" }), "source", "mixes IPv4 and IPv6"},
		// parse_address_list: "you can't use a range in a list".
		{"range in a list", with(func(r *FirewallRule) { r.Source = "10.0.0.1-10.0.0.5,10.0.0.9" }), "source", "range cannot be in a list"},
		// parse_address_list: "extraneous commas in list".
		{"trailing comma", with(func(r *FirewallRule) { r.Source = "10.0.0.1," }), "source", "extraneous commas"},
		{"empty entry", with(func(r *FirewallRule) { r.Source = "10.0.0.1,,10.0.0.2" }), "source", "extraneous commas"},
		// parse_address_list: Net::IP->new; ip_check_prefix "Invalid prefix".
		{"CIDR with host bits", with(func(r *FirewallRule) { r.Source = "10.0.0.5/24" }), "source", "write 10.0.0.0/24"},
		{"prefix too long", with(func(r *FirewallRule) { r.Source = "10.0.0.0/33" }), "source", "not a CIDR"},
		{"bad address", with(func(r *FirewallRule) { r.Source = "10.0.0.256" }), "source", "not an IP address"},
		// Net::IP reads "10.1" as 10.1.0.0, iptables as 10.0.0.1: refused.
		{"short IPv4", with(func(r *FirewallRule) { r.Source = "10.1" }), "source", "not an IP address"},
		{"IPv6 zone", with(func(r *FirewallRule) { r.Source, r.Dest = "fe80::1%eth0", "" }), "source", "not an IP address"},
		// Net::IP: "Begin address is greater than End address".
		{"backwards address range", with(func(r *FirewallRule) { r.Source = "10.0.0.9-10.0.0.1" }), "source", "ends before it starts"},
		{"mixed range", with(func(r *FirewallRule) { r.Source = "10.0.0.1-fd00::1" }), "source", "mixes IPv4 and IPv6"},
		// verify_rule: "invalid ipset name"; parse_address_list: "ipset name too long".
		{"bad ipset name", with(func(r *FirewallRule) { r.Source = "+1set" }), "source", "not an IP set"},
		{"long ipset name", with(func(r *FirewallRule) { r.Source = "+a" + strings.Repeat("b", 64) }), "source", "not an IP set"},
		// parse_address_list: "alias name too long".
		{"long alias", with(func(r *FirewallRule) { r.Source = "a" + strings.Repeat("b", 64) }), "source", "longer than 64"},
		// parse_port_name_number_or_range: "invalid port", "backwards range",
		// "too many entries in port list (> 15 numbers)", "extraneous commas".
		{"port 65536", with(func(r *FirewallRule) { r.Port = "65536" }), "port", "1..65535"},
		{"port 0", with(func(r *FirewallRule) { r.Port = "0" }), "port", "1..65535"},
		{"range past 65535", with(func(r *FirewallRule) { r.Port = "1:70000" }), "port", "1..65535"},
		{"backwards port range", with(func(r *FirewallRule) { r.Port = "200:100" }), "port", "write 100:200"},
		{"three-part range", with(func(r *FirewallRule) { r.Port = "1:2:3" }), "port", "neither a port nor a range"},
		{"empty port entry", with(func(r *FirewallRule) { r.Port = "22,,80" }), "port", "no empty entries"},
		{"16 port numbers", with(func(r *FirewallRule) { r.Port = "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15:16" }), "port", "at most 15"},
		// generic_fw_config_parser reads a line up to "\n"; the comment is
		// one printable line. U+2028, U+0085, controls, bidi overrides are not.
		{"newline in comment", with(func(r *FirewallRule) { r.Comment = "ok\n[OPTIONS]\nenable: 0" }), "comment", "U+000A"},
		{"U+2028 in comment", with(func(r *FirewallRule) { r.Comment = "ok\u2028IN ACCEPT" }), "comment", "U+2028"},
		{"U+0085 in comment", with(func(r *FirewallRule) { r.Comment = "ok\u0085IN ACCEPT" }), "comment", "U+0085"},
		{"bidi override in comment", with(func(r *FirewallRule) { r.Comment = "ok\u202e" }), "comment", "U+202E"},
		{"invalid UTF-8 in comment", with(func(r *FirewallRule) { r.Comment = "ok\xff" }), "comment", "UTF-8"},
		// parse_fw_rule: #\s*(.*?)\s*$ trims the comment.
		{"comment ends with a space", with(func(r *FirewallRule) { r.Comment = "qdrant " }), "comment", "trims"},
		// generic_fw_config_parser: /^\h*(.*?)\h*$/ on bytes trims a last 0xA0.
		{"comment ends in byte 0xA0", with(func(r *FirewallRule) { r.Comment = "voilà" }), "comment", "0xA0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ps := CheckFirewallRule("lxc_configs.952.firewall.rules.0", c.rule)
			want := "lxc_configs.952.firewall.rules.0." + c.field
			for _, p := range ps {
				if p.Path == want && strings.Contains(p.Rule, c.says) {
					return
				}
			}
			t.Errorf("want a problem at %s saying %q, got %v", want, c.says, ps)
		})
	}
}

// The problems of a fleet carry the field's full path, and a spec without
// rules (953 of the shared fixtures) is fine.
func TestFirewallProblemsCarryTheFieldPath(t *testing.T) {
	spec := func(fw *Firewall) *Spec { return &Spec{Name: "web", Template: "local:vztmpl/d.tar.zst", Firewall: fw} }
	ps := CheckFleet([]Located{
		{CTID: 952, Path: "lxc_configs.952", Spec: spec(&Firewall{Enabled: true, Rules: []FirewallRule{
			{Type: "in", Action: "ACCEPT", Source: "10.0.0.153", Proto: "tcp", Port: "6334"},
			{Type: "in", Action: "DROP", Port: "22"},
		}})},
		{CTID: 953, Path: "lxc_configs.953", Spec: spec(&Firewall{Enabled: true})},
	})
	if len(ps) != 1 || ps[0].Path != "lxc_configs.952.firewall.rules.1.port" || !strings.Contains(ps[0].Rule, "set proto to tcp or udp") {
		t.Errorf("want one problem at lxc_configs.952.firewall.rules.1.port with a hint, got %v", ps)
	}
}
