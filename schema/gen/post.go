package main

import "github.com/phoenix-hypervisor/phoenix_lxc/schema"

// postProcess walks the generated schema and adds to every container spec
// what struct tags cannot say: application settings (vllm_*, app_*) are
// allowed beside the declared fields, and secret fields are marked.
func postProcess(node any) {
	switch n := node.(type) {
	case map[string]any:
		if isSpec(n) {
			n["patternProperties"] = map[string]any{
				"^vllm_": map[string]any{"description": "Application setting, read by application scripts."},
				"^app_":  map[string]any{"description": "Application setting, read by application scripts."},
			}
			props := n["properties"].(map[string]any)
			for _, name := range schema.SecretFields {
				p := props[name].(map[string]any)
				p["writeOnly"] = true
				p["x-secret"] = true
			}
		}
		for _, v := range n {
			postProcess(v)
		}
	case []any:
		for _, v := range n {
			postProcess(v)
		}
	}
}

// isSpec recognises a container spec by two of its own fields.
func isSpec(n map[string]any) bool {
	props, ok := n["properties"].(map[string]any)
	if !ok {
		return false
	}
	_, a := props["clone_from_ctid"]
	_, b := props["template_snapshot_name"]
	return a && b
}
