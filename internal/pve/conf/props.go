package conf

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// PropKind is the type of one key of a property string.
type PropKind int

// Property value types.
const (
	PropString PropKind = iota
	PropBool            // 0|1; yes/on/true and no/off/false are read too
	PropSize            // a disk size like 8G, printed in its largest exact unit
)

// Schema describes a property string: its keys, the key a bare value
// belongs to, and the keys that must be present.
type Schema struct {
	DefaultKey string
	Required   []string
	Keys       map[string]PropKind
}

// Props is a parsed property string: key/value pairs in input order.
type Props []Entry

// Get returns the value of key and whether it is present.
func (p Props) Get(key string) (string, bool) {
	for _, e := range p {
		if e.Key == key {
			return e.Value, true
		}
	}
	return "", false
}

// ParseProps reads "a=1,b=2,bare" as pct does: empty parts are skipped,
// a part without '=' is the default key's value, booleans are stored as
// 0/1, and unknown, duplicate or missing keys are errors in pct's words.
func ParseProps(s string, sc Schema) (Props, error) {
	var p Props
	for _, part := range strings.Split(s, ",") {
		if reBlank.MatchString(part) {
			continue
		}
		k, v, hasEq := strings.Cut(part, "=")
		switch {
		case !hasEq:
			if sc.DefaultKey == "" {
				return nil, fmt.Errorf("value without key, but schema does not define a default key")
			}
			k, v = sc.DefaultKey, part
			if old, ok := p.Get(k); ok && old != "" {
				return nil, fmt.Errorf("duplicate key in comma-separated list property: %s", k)
			}
		case k == "" || v == "":
			return nil, fmt.Errorf("missing key in comma-separated list property")
		default:
			if _, ok := p.Get(k); ok {
				return nil, fmt.Errorf("duplicate key in comma-separated list property: %s", k)
			}
			if _, ok := sc.Keys[k]; !ok {
				return nil, fmt.Errorf("invalid key in comma-separated list property: %s", k)
			}
		}
		switch sc.Keys[k] {
		case PropBool:
			b, ok := parseBool(v)
			if !ok {
				return nil, fmt.Errorf("format error - %s: type check ('boolean') failed - got '%s'", k, v)
			}
			v = "0"
			if b {
				v = "1"
			}
		case PropSize:
			if _, err := ParseSize(v); err != nil {
				return nil, fmt.Errorf("format error - %s: %v", k, err)
			}
		}
		p = append(p, Entry{k, v})
	}
	for _, k := range sc.Required {
		if _, ok := p.Get(k); !ok {
			return nil, fmt.Errorf("format error - %s: property is missing and it is not optional", k)
		}
	}
	return p, nil
}

// Print writes p in pct's canonical order: the default key's bare value
// first, then the required keys, then the rest, each group sorted by key.
// Sizes are printed in their largest exact unit.
func (p Props) Print(sc Schema) string {
	req := map[string]bool{}
	for _, k := range sc.Required {
		req[k] = true
	}
	rank := func(k string) int {
		switch {
		case k == sc.DefaultKey:
			return 0
		case req[k]:
			return 1
		}
		return 2
	}
	sorted := append(Props(nil), p...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i].Key, sorted[j].Key
		if rank(a) != rank(b) {
			return rank(a) < rank(b)
		}
		return a < b
	})
	parts := make([]string, 0, len(sorted))
	for _, e := range sorted {
		v := e.Value
		if sc.Keys[e.Key] == PropSize {
			if n, err := ParseSize(v); err == nil {
				v = FormatSize(n)
			}
		}
		if e.Key == sc.DefaultKey {
			parts = append(parts, v)
		} else {
			parts = append(parts, e.Key+"="+v)
		}
	}
	return strings.Join(parts, ",")
}

var reSize = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)([KMGT](?:iB)?)?$`)

// ParseSize reads a disk size: a number with an optional unit K, M, G or
// T (powers of 1024, "iB" may follow); without a unit it is bytes.
func ParseSize(s string) (int64, error) {
	m := reSize.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("invalid format - unable to parse disk size '%s' (want a number with an optional unit K, M, G or T)", s)
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil || f > 1<<62 {
		return 0, fmt.Errorf("invalid format - disk size '%s' is too large", s)
	}
	if m[2] != "" {
		f *= float64(int64(1) << (10 * (1 + strings.IndexByte("KMGT", m[2][0]))))
	}
	if f > 1<<62 {
		return 0, fmt.Errorf("invalid format - disk size '%s' is too large", s)
	}
	return int64(f), nil
}

// FormatSize prints a byte count in the largest unit that divides it
// exactly: 8589934592 is "8G", 536870912 is "512M", 1000 stays "1000".
func FormatSize(n int64) string {
	if n%1024 != 0 {
		return strconv.FormatInt(n, 10)
	}
	units := "KMGT"
	for i := 0; ; i++ {
		n /= 1024
		if i == len(units)-1 || n%1024 != 0 {
			return strconv.FormatInt(n, 10) + units[i:i+1]
		}
	}
}

// Builders used by the typed property strings.

func (p *Props) add(k, v string) {
	if v != "" {
		*p = append(*p, Entry{k, v})
	}
}

func (p *Props) addBool(k string, b *bool) {
	if b != nil {
		*p = append(*p, Entry{k, map[bool]string{true: "1", false: "0"}[*b]})
	}
}

func (p *Props) addInt(k string, n *int) {
	if n != nil {
		*p = append(*p, Entry{k, strconv.Itoa(*n)})
	}
}

func (p Props) str(k string) string { v, _ := p.Get(k); return v }

func (p Props) boolp(k string) *bool {
	v, ok := p.Get(k)
	if !ok {
		return nil
	}
	b := v == "1"
	return &b
}

// intp reads an integer key within [lo, hi].
func (p Props) intp(k string, lo, hi int) (*int, error) {
	v, ok := p.Get(k)
	if !ok {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || !reInt.MatchString(v) {
		return nil, fmt.Errorf("format error - %s: type check ('integer') failed - got '%s'", k, v)
	}
	if n < lo || n > hi {
		return nil, fmt.Errorf("format error - %s: value must be between %d and %d, got %d", k, lo, hi, n)
	}
	return &n, nil
}
