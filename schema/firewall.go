package schema

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The rules below are those of pve-firewall's own parser for the fields we
// write (src/PVE/Firewall.pm: generic_fw_config_parser, parse_fw_rule,
// verify_rule, parse_address_list, parse_port_name_number_or_range).
// pve-firewall does not refuse a rule it cannot read: it logs to syslog and
// skips it, and a skipped DROP rule lets the traffic through. So anything it
// would skip or read differently is refused here, before any change.

// fwName is $ip_alias_pattern and $ipset_name_pattern of Firewall.pm.
var fwName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]+$`)

// Limits of Firewall.pm: $max_alias_name_length, $max_ipset_name_length, and
// the "too many entries in port list (> 15 numbers)" of
// parse_port_name_number_or_range (a range counts 2).
const (
	maxFwAliasName = 64
	maxFwIpsetName = 64
	maxFwPortCount = 15
)

// checkFirewallRules checks every rule of a spec's firewall.
func checkFirewallRules(p string, fw *Firewall, ps *Problems) {
	for i, r := range fw.Rules {
		*ps = append(*ps, CheckFirewallRule(join(p, "rules", i), r)...)
	}
}

// CheckFirewallRule returns what pve-firewall would skip or misread in one
// rule, each problem at path + "." + the field. The pve backend calls it
// again before it writes the .fw file.
func CheckFirewallRule(path string, r FirewallRule) Problems {
	var ps Problems
	at := func(field string) string { return path + "." + field }
	type field struct{ name, value string }
	addrs := []field{{"source", r.Source}, {"dest", r.Dest}}
	plain := map[string]bool{}
	for _, f := range append([]field{{"type", r.Type}, {"action", r.Action}, {"proto", r.Proto}, {"port", r.Port}}, addrs...) {
		if bad := fwFieldChar(f.value); bad != "" {
			ps.add(at(f.name), "%q contains %s: a rule field is one word of printable ASCII without '#' (pve-firewall splits a rule line at whitespace and reads the rest after the first '#' as the comment)", f.value, bad)
		} else {
			plain[f.name] = true
		}
	}
	if plain["type"] && r.Type != "in" && r.Type != "out" {
		ps.add(at("type"), "%q is not in or out", r.Type)
	}
	if plain["action"] && r.Action != "ACCEPT" && r.Action != "DROP" && r.Action != "REJECT" {
		ps.add(at("action"), "%q is not ACCEPT, DROP or REJECT", r.Action)
	}
	if plain["proto"] && r.Proto != "" && r.Proto != "tcp" && r.Proto != "udp" && r.Proto != "icmp" {
		ps.add(at("proto"), "%q is not tcp, udp or icmp", r.Proto)
	}
	if plain["port"] && r.Port != "" {
		switch {
		case r.Proto == "":
			ps.add(at("port"), "is set without proto: pve-firewall skips such a rule (\"proto: missing property - 'dport' requires this property\"); set proto to tcp or udp")
		case r.Proto != "tcp" && r.Proto != "udp":
			ps.add(at("port"), "needs proto tcp or udp, not %q (with icmp, pve-firewall would read the port as an ICMP type)", r.Proto)
		}
		if err := checkFwPorts(r.Port); err != nil {
			ps.add(at("port"), "%v", err)
		}
	}
	// One rule is one address family: icmp is IPv4, and source and dest
	// must agree (verify_rule: "detected mixed ipv4/ipv6 addresses in rule").
	family, familyOf := 0, ""
	if r.Proto == "icmp" {
		family, familyOf = 4, "proto icmp"
	}
	for _, f := range addrs {
		if !plain[f.name] || f.value == "" {
			continue
		}
		v, err := fwAddressFamily(f.value)
		switch {
		case err != nil:
			ps.add(at(f.name), "%v", err)
		case v != 0 && family != 0 && v != family:
			ps.add(at(f.name), "%q is IPv%d but %s is IPv%d: pve-firewall skips a rule that mixes IPv4 and IPv6; write one rule per family", f.value, v, familyOf, family)
		case v != 0:
			family, familyOf = v, f.name
		}
	}
	if r.Comment != "" {
		if err := checkFwComment(r.Comment); err != nil {
			ps.add(at("comment"), "%v", err)
		}
	}
	return ps
}

// fwFieldChar names what makes v unusable as one field of a rule line, or
// is "" when v is only printable ASCII other than space and '#'.
func fwFieldChar(v string) string {
	for _, c := range v {
		switch {
		case c == '#':
			return "'#'"
		case unicode.IsSpace(c):
			return fmt.Sprintf("whitespace (%U)", c)
		case c < 0x21 || c > 0x7e:
			return fmt.Sprintf("a character that is not printable ASCII (%U)", c)
		}
	}
	return ""
}

// checkFwPorts is parse_port_name_number_or_range for what the spec allows
// (numbers, no service names): a comma list of PORT or FIRST:LAST, no empty
// entry, FIRST <= LAST, at most 15 numbers. Port 0 is refused too, although
// pve-firewall takes it: it is no real port.
func checkFwPorts(s string) error {
	count := 0
	for _, item := range strings.Split(s, ",") {
		nums := strings.Split(item, ":")
		if len(nums) > 2 {
			return fmt.Errorf("%q is neither a port nor a range FIRST:LAST", item)
		}
		var ports []uint64
		for _, n := range nums {
			p, err := strconv.ParseUint(n, 10, 16)
			if err != nil || p == 0 {
				return fmt.Errorf("%q is not a port number 1..65535 (no empty entries)", n)
			}
			ports = append(ports, p)
		}
		if len(ports) == 2 && ports[0] > ports[1] {
			return fmt.Errorf("backwards range %s, which pve-firewall refuses: write %s:%s", item, nums[1], nums[0])
		}
		count += len(ports)
	}
	if count > maxFwPortCount {
		return fmt.Errorf("%q has %d port numbers (a range counts 2): pve-firewall takes at most %d in one rule; split it", s, count, maxFwPortCount)
	}
	return nil
}

// fwAddressFamily is parse_address_list (and verify_rule's name check): an
// IP set "+name", an alias "name", or a comma list of addresses and CIDRs,
// or one range FIRST-LAST, all of one family. It returns 4 or 6, or 0 for an
// IP set or alias, whose family Proxmox knows.
func fwAddressFamily(s string) (int, error) {
	if name, ok := strings.CutPrefix(s, "+"); ok {
		if !fwName.MatchString(name) || len(name) > maxFwIpsetName {
			return 0, fmt.Errorf("%q is not an IP set reference: '+' then a letter and 1-%d letters, digits, '-' or '_'", s, maxFwIpsetName-1)
		}
		return 0, nil
	}
	if fwName.MatchString(s) {
		if len(s) > maxFwAliasName {
			return 0, fmt.Errorf("alias %q is longer than %d characters", s, maxFwAliasName)
		}
		return 0, nil
	}
	elems := strings.Split(s, ",")
	family := 0
	for _, e := range elems {
		if e == "" {
			return 0, fmt.Errorf("%q has an empty entry, which pve-firewall refuses (\"extraneous commas in list\")", s)
		}
		v, err := fwAddress(e)
		if err != nil {
			return 0, err
		}
		if strings.Contains(e, "-") && len(elems) > 1 {
			return 0, fmt.Errorf("%q: a range cannot be in a list (pve-firewall refuses it); give the range alone", s)
		}
		if family != 0 && v != family {
			return 0, fmt.Errorf("%q mixes IPv4 and IPv6 addresses, which pve-firewall refuses: write one rule per family", s)
		}
		family = v
	}
	return family, nil
}

// fwAddress checks one address, CIDR or range FIRST-LAST as Net::IP reads
// it, more strictly: full dotted quads, no zone, no host bits in a CIDR.
func fwAddress(e string) (int, error) {
	if first, last, ok := strings.Cut(e, "-"); ok {
		a, errA := fwIP(first)
		b, errB := fwIP(last)
		switch {
		case errA != nil || errB != nil:
			return 0, fmt.Errorf("%q is not a range FIRST-LAST of two IP addresses", e)
		case a.Is4() != b.Is4():
			return 0, fmt.Errorf("range %q mixes IPv4 and IPv6", e)
		case b.Less(a):
			return 0, fmt.Errorf("range %q ends before it starts", e)
		}
		return ipFamily(a), nil
	}
	if strings.Contains(e, "/") {
		pr, err := netip.ParsePrefix(e)
		if err != nil {
			return 0, fmt.Errorf("%q is not a CIDR (10.0.0.0/24, fd00::/64)", e)
		}
		if pr.Masked() != pr {
			return 0, fmt.Errorf("CIDR %q has host bits set, which pve-firewall refuses (\"Invalid prefix\"): write %s", e, pr.Masked())
		}
		return ipFamily(pr.Addr()), nil
	}
	a, err := fwIP(e)
	if err != nil {
		return 0, fmt.Errorf("%q is not an IP address, CIDR, range, alias or +ipset", e)
	}
	return ipFamily(a), nil
}

func fwIP(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err == nil && a.Zone() != "" {
		err = fmt.Errorf("zone in %q", s)
	}
	return a, err
}

func ipFamily(a netip.Addr) int {
	if a.Is4() {
		return 4
	}
	return 6
}

// checkFwComment: the comment goes last on the line, after " # ", and must
// read back as written. pve-firewall reads the line up to a newline and
// trims it (generic_fw_config_parser, /^\h*(.*?)\h*$/ on the file's bytes,
// so a last byte 0xA0 goes too: the end of 'à' or 'Š'), then takes what
// follows the first '#', trimmed (parse_fw_rule, s/#\s*(.*?)\s*$//).
// A '#' inside the comment is fine: the first one is ours.
func checkFwComment(c string) error {
	if !utf8.ValidString(c) {
		return fmt.Errorf("is not valid UTF-8")
	}
	for _, r := range c {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("contains %U, which is not printable: a comment is one line of letters, digits, punctuation, symbols and plain spaces (no control, format, line or paragraph separator, or non-ASCII space character)", r)
		}
	}
	if strings.TrimSpace(c) != c {
		return fmt.Errorf("%q starts or ends with a space, which pve-firewall trims: remove it", c)
	}
	if c[len(c)-1] == 0xA0 {
		return fmt.Errorf("%q ends with a character pve-firewall cuts in half (its last byte is 0xA0, which it trims as a no-break space): end the comment with another character, e.g. '.'", c)
	}
	return nil
}
