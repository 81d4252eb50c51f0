package module

import (
	"fmt"
	"io"
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

// StdinArgs is the args file name that means "read the args from stdin":
// the collection's action plugin pipes them (phoenix_lxc -), so no args
// file is written on the target.
const StdinArgs = "-"

// ReadArgs reads an Ansible args file, or stdin when path is StdinArgs:
// one JSON object, at most schema.MaxInputFile bytes. It returns the
// module options (without _ansible_* keys) and the Ansible flags.
func ReadArgs(path string, stdin io.Reader) (map[string]any, Ansible, error) {
	where := "args file " + path
	if path == StdinArgs {
		where = "args on stdin"
	}
	data, err := readArgsData(path, stdin)
	if err != nil {
		return nil, Ansible{}, fmt.Errorf("%s: cannot read it: %w (phoenix_lxc ARGSFILE, or phoenix_lxc - with the args on stdin, is how Ansible runs this module; see phoenix_lxc help)", where, err)
	}
	tree, err := schema.DecodeJSON(data)
	if err != nil {
		return nil, Ansible{}, fmt.Errorf("%s: %w", where, err)
	}
	obj, ok := tree.(map[string]any)
	if !ok {
		return nil, Ansible{}, fmt.Errorf("%s: want a JSON object of module options, got %s", where, kindOf(tree))
	}
	opts, a := SplitAnsible(obj)
	return opts, a, nil
}

func readArgsData(path string, stdin io.Reader) ([]byte, error) {
	if path != StdinArgs {
		return schema.ReadInputFile(path)
	}
	if stdin == nil {
		return nil, fmt.Errorf("no stdin")
	}
	data, err := io.ReadAll(io.LimitReader(stdin, schema.MaxInputFile+1))
	if err == nil && len(data) > schema.MaxInputFile {
		err = fmt.Errorf("more than %d MiB, the limit of an input file", schema.MaxInputFile>>20)
	}
	return data, err
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
