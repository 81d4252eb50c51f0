package schema

import (
	"fmt"
	"regexp"
	"strings"
)

// Flag is one Proxmox feature flag of pct_options, e.g. nesting=1.
type Flag struct{ Name, Value string }

var reFlag = regexp.MustCompile(`^[a-z][a-z_]*=[^,\s]+$`)

// parseFlag reads one pct_options entry: key=value, no comma or space
// (which could add a flag the entry does not show).
func parseFlag(o string) (Flag, error) {
	if !reFlag.MatchString(o) {
		return Flag{}, fmt.Errorf("%q is not a Proxmox feature flag key=value (e.g. nesting=1; no commas or spaces)", o)
	}
	k, v, _ := strings.Cut(o, "=")
	return Flag{k, v}, nil
}

// Flags is pct_options read once, in order: what every backend consumes.
func (s *Spec) Flags() ([]Flag, error) {
	var out []Flag
	for i, o := range s.PctOptions {
		f, err := parseFlag(o)
		if err != nil {
			return nil, fmt.Errorf("pct_options.%d: %w", i, err)
		}
		out = append(out, f)
	}
	return out, nil
}
