package schema

import (
	"encoding/json"
	"strconv"
	"strings"
)

// coerce converts module arguments the way Ansible converts a module's
// typed options: Jinja templates yield strings, so "512" where the schema
// wants an integer becomes 512, and "yes"/"true"/"1" where it wants a
// boolean becomes true. Anything else is left for validation to report.
// Only module arguments are coerced; config files stay strict.
func coerce(node map[string]any, v any) any {
	switch x := v.(type) {
	case string:
		switch node["type"] {
		case "integer":
			if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
				return json.Number(strconv.FormatInt(n, 10)) // "0512" is 512, as Ansible reads it
			}
		case "boolean":
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "yes", "true", "on", "1":
				return true
			case "no", "false", "off", "0":
				return false
			}
		}
	case map[string]any:
		props, _ := node["properties"].(map[string]any)
		for k, val := range x {
			if sub, ok := props[k].(map[string]any); ok {
				x[k] = coerce(sub, val)
			}
		}
	case []any:
		if items, ok := node["items"].(map[string]any); ok {
			for i, val := range x {
				x[i] = coerce(items, val)
			}
		}
	}
	return v
}

// commaList splits the string value of a list option at its commas, as
// Ansible does for a list option: ctids: "7030,7031" or "7030" (a survey's
// answer, a --extra-vars string) is [7030, 7031]. A word (all, or a typo
// of it) stays as it is.
func commaList(args map[string]any, key string) {
	s, ok := args[key].(string)
	if !ok || !strings.Contains(s, ",") && !strings.ContainsAny(s, "0123456789") {
		return
	}
	var list []any
	for _, f := range strings.Split(s, ",") {
		list = append(list, strings.TrimSpace(f))
	}
	args[key] = list
}
