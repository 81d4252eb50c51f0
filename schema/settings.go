package schema

import (
	"reflect"
	"strings"
)

// settingPrefixes name application settings a spec may carry beyond its
// declared fields (the schema's patternProperties ^vllm_ and ^app_).
var settingPrefixes = []string{"vllm_", "app_"}

// gojsonschema compiles a patternProperties regexp for every key of every
// object it checks, which made validating a fleet of a thousand specs slow.
// At run time the spec's patternProperties are therefore taken out of the
// schema (runtimeSchema), and the undeclared application settings out of
// the document (withoutSettings), which is the same check: the pattern
// schemas only describe the settings, any value passes them.

// runtimeSchema is tree with the spec's patternProperties removed, at the
// spec's place in the config schema (lxc_configs.<CTID>) and in the args
// schema (container).
func runtimeSchema(tree map[string]any) map[string]any {
	out := copyMap(tree)
	props := copyMap(sub(out, "properties"))
	out["properties"] = props
	if lc := sub(props, "lxc_configs"); lc != nil {
		lc = copyMap(lc)
		pp := copyMap(sub(lc, "patternProperties"))
		for k, v := range pp {
			if spec, ok := v.(map[string]any); ok {
				spec = copyMap(spec)
				delete(spec, "patternProperties")
				pp[k] = spec
			}
		}
		lc["patternProperties"] = pp
		props["lxc_configs"] = lc
	}
	if c := sub(props, "container"); c != nil {
		c = copyMap(c)
		delete(c, "patternProperties")
		props["container"] = c
	}
	return out
}

// withoutSettings returns doc with every spec's undeclared application
// settings left out (specs under lxc_configs, or the container option).
func withoutSettings(doc map[string]any) map[string]any {
	out := copyMap(doc)
	if lc, ok := out["lxc_configs"].(map[string]any); ok {
		specs := map[string]any{}
		for id, s := range lc {
			specs[id] = stripSettings(s)
		}
		out["lxc_configs"] = specs
	}
	if c, ok := out["container"]; ok {
		out["container"] = stripSettings(c)
	}
	return out
}

func stripSettings(v any) any {
	s, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, val := range s {
		if isSetting(k) && !declared[k] {
			continue
		}
		out[k] = val
	}
	return out
}

func isSetting(k string) bool {
	for _, p := range settingPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// declared are the spec's own fields (vllm_model and the like are declared
// and stay checked by their schemas).
var declared = specFields()

func specFields() map[string]bool {
	m := map[string]bool{}
	for _, f := range jsonFieldNames(Spec{}) {
		m[f] = true
	}
	return m
}

func sub(m map[string]any, k string) map[string]any {
	c, _ := m[k].(map[string]any)
	return c
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// jsonFieldNames lists the JSON names of v's struct fields.
func jsonFieldNames(v any) []string {
	t := reflect.TypeOf(v)
	var out []string
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}
