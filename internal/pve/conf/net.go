package conf

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
)

var netSchema = Schema{
	Required: []string{"name"},
	Keys: map[string]PropKind{
		"name": PropString, "bridge": PropString, "firewall": PropBool, "gw": PropString,
		"gw6": PropString, "host-managed": PropBool, "hwaddr": PropString, "ip": PropString,
		"ip6": PropString, "link_down": PropBool, "mtu": PropString, "rate": PropString,
		"tag": PropString, "trunks": PropString, "type": PropString,
	},
}

// Net is a netN value.
type Net struct {
	Name, Bridge, Hwaddr string
	IP, GW               string // IPv4/CIDR, dhcp or manual; IPv4 gateway
	IP6, GW6             string // IPv6/CIDR, auto, dhcp or manual; IPv6 gateway
	Type                 string // "veth" (pct forces it when applying)
	Rate                 string // MB/s, a number
	Trunks               string // "vid;vid;..."
	Firewall, LinkDown   *bool
	HostManaged          *bool
	MTU, Tag             *int
}

var (
	reIfName = regexp.MustCompile(`^[-_.\w]+$`)
	reMAC    = regexp.MustCompile(`^(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}$`)
	reTrunks = regexp.MustCompile(`^[0-9]+(?:-[0-9]+)?(?:;[0-9]+(?:-[0-9]+)?)*$`)
)

// ParseNet reads a netN value such as
// "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:5E:2A:01,ip=dhcp,type=veth".
func ParseNet(s string) (Net, error) {
	p, err := ParseProps(s, netSchema)
	if err != nil {
		return Net{}, err
	}
	n := Net{
		Name: p.str("name"), Bridge: p.str("bridge"), Hwaddr: p.str("hwaddr"),
		IP: p.str("ip"), GW: p.str("gw"), IP6: p.str("ip6"), GW6: p.str("gw6"),
		Type: p.str("type"), Rate: p.str("rate"), Trunks: p.str("trunks"),
		Firewall: p.boolp("firewall"), LinkDown: p.boolp("link_down"), HostManaged: p.boolp("host-managed"),
	}
	if n.MTU, err = p.intp("mtu", 64, 65535); err != nil {
		return Net{}, err
	}
	if n.Tag, err = p.intp("tag", 1, 4094); err != nil {
		return Net{}, err
	}
	bad := func(k, why string) error { return fmt.Errorf("format error - %s: %s", k, why) }
	switch {
	case !reIfName.MatchString(n.Name):
		return Net{}, bad("name", "value does not match the regex pattern")
	case n.Hwaddr != "" && !reMAC.MatchString(n.Hwaddr):
		return Net{}, bad("hwaddr", "value does not look like a valid MAC address")
	case n.Type != "" && n.Type != "veth":
		return Net{}, bad("type", "value 'veth' is the only allowed type")
	case n.IP != "" && n.IP != "dhcp" && n.IP != "manual" && !isCIDR(n.IP, true):
		return Net{}, bad("ip", "invalid format - value does not look like a valid IPv4 network configuration")
	case n.IP6 != "" && n.IP6 != "auto" && n.IP6 != "dhcp" && n.IP6 != "manual" && !isCIDR(n.IP6, false):
		return Net{}, bad("ip6", "invalid format - value does not look like a valid IPv6 network configuration")
	case n.GW != "" && !isAddr(n.GW, true):
		return Net{}, bad("gw", "invalid format - value does not look like a valid IPv4 address")
	case n.GW6 != "" && !isAddr(n.GW6, false):
		return Net{}, bad("gw6", "invalid format - value does not look like a valid IPv6 address")
	case n.Rate != "" && !reNumber.MatchString(n.Rate):
		return Net{}, bad("rate", "type check ('number') failed - got '"+n.Rate+"'")
	case n.Trunks != "" && !reTrunks.MatchString(n.Trunks):
		return Net{}, bad("trunks", "value does not match the regex pattern")
	}
	return n, nil
}

func isCIDR(s string, v4 bool) bool {
	p, err := netip.ParsePrefix(s)
	return err == nil && p.Addr().Is4() == v4 && !strings.Contains(s, "%")
}

func isAddr(s string, v4 bool) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4() == v4
}

// String prints the value in pct's canonical form: name first, then the
// other keys sorted.
func (n Net) String() string {
	var p Props
	p.add("name", n.Name)
	p.add("bridge", n.Bridge)
	p.add("hwaddr", n.Hwaddr)
	p.add("ip", n.IP)
	p.add("gw", n.GW)
	p.add("ip6", n.IP6)
	p.add("gw6", n.GW6)
	p.add("type", n.Type)
	p.add("rate", n.Rate)
	p.add("trunks", n.Trunks)
	p.addBool("firewall", n.Firewall)
	p.addBool("link_down", n.LinkDown)
	p.addBool("host-managed", n.HostManaged)
	p.addInt("mtu", n.MTU)
	p.addInt("tag", n.Tag)
	return p.Print(netSchema)
}
