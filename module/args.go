package module

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// Ansible holds the _ansible_* keys the module honours; every other
// _ansible_* key is ignored, so newer Ansible versions keep working.
type Ansible struct {
	CheckMode bool
	Diff      bool
	Verbosity int
	NoLog     bool
}

// ReadArgs reads an Ansible args file: one JSON object. It returns the
// module options (without _ansible_* keys) and the Ansible flags.
func ReadArgs(path string) (map[string]any, Ansible, error) {
	data, err := schema.ReadInputFile(path)
	if err != nil {
		return nil, Ansible{}, fmt.Errorf("args file %s: cannot read it: %w (phoenix_lxc ARGSFILE is how Ansible runs this module; see phoenix_lxc help)", path, err)
	}
	tree, err := schema.DecodeJSON(data)
	if err != nil {
		return nil, Ansible{}, fmt.Errorf("args file %s: %w", path, err)
	}
	obj, ok := tree.(map[string]any)
	if !ok {
		return nil, Ansible{}, fmt.Errorf("args file %s: want a JSON object of module options, got %s", path, kindOf(tree))
	}
	opts, a := SplitAnsible(obj)
	return opts, a, nil
}

// SplitAnsible separates the _ansible_* keys from the module options.
func SplitAnsible(obj map[string]any) (map[string]any, Ansible) {
	var a Ansible
	opts := map[string]any{}
	for k, v := range obj {
		switch {
		case k == "_ansible_check_mode":
			a.CheckMode = truthy(v)
		case k == "_ansible_diff":
			a.Diff = truthy(v)
		case k == "_ansible_no_log":
			a.NoLog = truthy(v)
		case k == "_ansible_verbosity":
			n, _ := strconv.Atoi(fmt.Sprint(v))
			a.Verbosity = n
		case strings.HasPrefix(k, "_ansible_"):
			// Ignored: Ansible adds keys over time.
		default:
			opts[k] = v
		}
	}
	return opts, a
}

// truthy reads a boolean the way Ansible may write one.
func truthy(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		switch strings.ToLower(t) {
		case "true", "yes", "on", "1":
			return true
		}
	}
	return fmt.Sprint(v) == "1"
}

func kindOf(v any) string {
	switch v.(type) {
	case []any:
		return "a JSON array"
	case string:
		return "a JSON string"
	case nil:
		return "null"
	case bool:
		return "a boolean"
	default:
		return "a number"
	}
}
