package pve

import (
	"sort"
	"strconv"
	"strings"
)

// props is a Proxmox property string ("name=eth0,bridge=vmbr0,ip=dhcp",
// "/srv,mp=/data,ro=1") as ordered key/value pairs; a bare value belongs to
// the format's default key. Values are compared parsed, never as text.
type props struct {
	keys []string
	vals map[string]string
}

func parseProps(s, defaultKey string) props {
	p := props{vals: map[string]string{}}
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			k, v = defaultKey, part
		}
		p.set(k, v)
	}
	return p
}

func (p props) get(k string) string { return p.vals[k] }

func (p props) has(k string) bool { _, ok := p.vals[k]; return ok }

func (p *props) set(k, v string) {
	if p.vals == nil {
		p.vals = map[string]string{}
	}
	if _, ok := p.vals[k]; !ok {
		p.keys = append(p.keys, k)
	}
	p.vals[k] = v
}

func (p *props) del(k string) {
	if _, ok := p.vals[k]; !ok {
		return
	}
	delete(p.vals, k)
	for i, x := range p.keys {
		if x == k {
			p.keys = append(p.keys[:i], p.keys[i+1:]...)
			break
		}
	}
}

// equal compares two property strings key by key; hwaddr compares without
// regard to case.
func (p props) equal(o props) bool {
	if len(p.vals) != len(o.vals) {
		return false
	}
	for k, v := range p.vals {
		w, ok := o.vals[k]
		if !ok || (v != w && !(k == "hwaddr" && strings.EqualFold(v, w))) {
			return false
		}
	}
	return true
}

// format prints the string as pct does: the default key's bare value
// first, then the keys named in first, then the rest sorted.
func (p props) format(defaultKey string, first ...string) string {
	var out []string
	done := map[string]bool{}
	if v, ok := p.vals[defaultKey]; ok && defaultKey != "" {
		out = append(out, v)
		done[defaultKey] = true
	}
	for _, k := range first {
		if v, ok := p.vals[k]; ok && !done[k] {
			out = append(out, k+"="+v)
			done[k] = true
		}
	}
	rest := make([]string, 0, len(p.keys))
	for _, k := range p.keys {
		if !done[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		out = append(out, k+"="+p.vals[k])
	}
	return strings.Join(out, ",")
}

// sizeGB reads a pct disk size ("8G", "512M", "2T", "8GiB", bytes when
// bare) in GiB; 0 when absent or unreadable.
func sizeGB(s string) float64 {
	s = strings.TrimSuffix(strings.TrimSpace(s), "iB")
	if s == "" {
		return 0
	}
	unit := map[byte]float64{'K': 1.0 / (1 << 20), 'M': 1.0 / 1024, 'G': 1, 'T': 1024}
	mult, ok := unit[s[len(s)-1]]
	if ok {
		s = s[:len(s)-1]
	} else {
		mult = 1.0 / (1 << 30)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return f * mult
}
