package schema

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var ctidText = regexp.MustCompile(CTIDKeyPattern)

// ParseCTIDText reads a CTID written as text: a key of lxc_configs or of a
// volume's mounts, a "900" in a spec, a --ctid flag. Only canonical
// decimal is a CTID (no leading zero, sign, exponent or space), so two
// spellings can never name one container. The range is checked apart.
func ParseCTIDText(s string) (int, error) {
	if !ctidText.MatchString(s) {
		return 0, fmt.Errorf("%q is not a CTID: write it in plain digits, without leading zeros, sign, exponent or spaces", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("CTID %s is out of range %d..%d", s, MinCTID, MaxCTID)
	}
	return n, nil
}

// ctidKeys reads the keys of obj (lxc_configs, a volume's mounts) as
// CTIDs; it returns the canonical ones. Any other key is a problem, and so
// is every key of a group that names one container ("960" and "0960"):
// JSON would keep both and one would silently win.
func ctidKeys(obj map[string]any, path string, ps *Problems) map[string]int {
	ids := map[string]int{}
	spellings := map[int][]string{}
	for k := range obj {
		id, err := ParseCTIDText(k)
		if err == nil {
			ids[k] = id
		} else {
			ps.add(join(path, k), "key %v", err)
			id, err = ParseCTIDText(strings.TrimLeft(strings.TrimSpace(k), "+0"))
		}
		if err == nil {
			spellings[id] = append(spellings[id], k)
		}
	}
	for id, keys := range spellings {
		if len(keys) < 2 {
			continue
		}
		sort.Strings(keys)
		for _, k := range keys {
			ps.add(join(path, k), "names the same container (CT %d) as %s: keep one of the keys", id, others(keys, k))
		}
	}
	return ids
}

// others quotes the keys other than k: "0960", "+960".
func others(keys []string, k string) string {
	var out []string
	for _, o := range keys {
		if o != k {
			out = append(out, strconv.Quote(o))
		}
	}
	return strings.Join(out, ", ")
}
