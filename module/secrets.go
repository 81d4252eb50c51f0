package module

import (
	"slices"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// NoLogValue replaces a secret in invocation.module_args, as Ansible does.
const NoLogValue = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"

// scrubbed replaces a secret found anywhere else in the output.
const scrubbed = "********"

// maskArgs returns a copy of args with the value of every secret field, at
// any depth, replaced by NoLogValue (every value when all is set), and the
// secret values it found.
func maskArgs(v any, all bool) (any, []string) {
	var found []string
	var walk func(v any, secret bool) any
	walk = func(v any, secret bool) any {
		switch t := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(t))
			for k, x := range t {
				out[k] = walk(x, secret || slices.Contains(schema.SecretFields, k))
			}
			return out
		case []any:
			out := make([]any, len(t))
			for i, x := range t {
				out[i] = walk(x, secret)
			}
			return out
		}
		if secret {
			if s, ok := v.(string); ok {
				found = append(found, secretParts(s)...)
			}
			return NoLogValue
		}
		if all {
			return NoLogValue
		}
		return v
	}
	return walk(v, false), found
}

// specSecrets lists the secret values of the specs of a fleet.
func specSecrets(specs []*schema.Spec) []string {
	var out []string
	for _, s := range specs {
		out = append(out, secretParts(s.Password)...)
		for _, k := range s.SSHPublicKeys {
			out = append(out, secretParts(k)...)
		}
	}
	return out
}

// secretParts is a secret value and, for a key line, its key blob alone,
// so neither leaks when printed on its own.
func secretParts(s string) []string {
	if s == "" {
		return nil
	}
	out := []string{s}
	for _, f := range strings.Fields(s) {
		if len(f) >= 16 && f != s {
			out = append(out, f)
		}
	}
	return out
}

// scrub replaces every secret value inside every string of v, longest
// secrets first, as a last safety net before printing.
func scrub(v any, secrets []string) any {
	if len(secrets) == 0 {
		return v
	}
	s := slices.Clone(secrets)
	slices.SortFunc(s, func(a, b string) int { return len(b) - len(a) })
	var walk func(v any) any
	walk = func(v any) any {
		switch t := v.(type) {
		case map[string]any:
			for k, x := range t {
				t[k] = walk(x)
			}
		case []any:
			for i, x := range t {
				t[i] = walk(x)
			}
		case string:
			for _, sec := range s {
				t = strings.ReplaceAll(t, sec, scrubbed)
			}
			return t
		}
		return v
	}
	return walk(v)
}
