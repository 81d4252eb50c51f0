package conf

import (
	"fmt"
	"strconv"
	"strings"
)

// Startup is the startup value, "order=2,up=10,down=30" (order is the
// default key: "2" alone is order 2). A nil field is not set.
type Startup struct {
	Order, Up, Down *int
}

var startupSchema = Schema{DefaultKey: "order", Keys: map[string]PropKind{"order": PropString, "up": PropString, "down": PropString}}

// ParseStartup reads a startup value as pct checks it (pve-guest-common's
// pve-startup-order format).
func ParseStartup(s string) (Startup, error) {
	if err := checkStartup(s); err != nil {
		return Startup{}, err
	}
	p, err := ParseProps(s, startupSchema)
	if err != nil {
		return Startup{}, err
	}
	var st Startup
	for k, dst := range map[string]**int{"order": &st.Order, "up": &st.Up, "down": &st.Down} {
		if v, ok := p.Get(k); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return Startup{}, fmt.Errorf("invalid format - unable to parse startup options")
			}
			*dst = &n
		}
	}
	return st, nil
}

// String prints the value as phoenix_lxc writes it: order, up, down, each
// only when set (pct stores startup exactly as given).
func (s Startup) String() string {
	var parts []string
	for _, kv := range []struct {
		k string
		v *int
	}{{"order", s.Order}, {"up", s.Up}, {"down", s.Down}} {
		if kv.v != nil {
			parts = append(parts, kv.k+"="+strconv.Itoa(*kv.v))
		}
	}
	return strings.Join(parts, ",")
}

// GiB is a disk size ("8G", "512M", bare bytes) in GiB; 0 when empty or
// unreadable.
func GiB(size string) float64 {
	n, err := ParseSize(size)
	if err != nil {
		return 0
	}
	return float64(n) / (1 << 30)
}
