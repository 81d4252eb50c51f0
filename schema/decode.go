package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode"
)

// DecodeJSON reads one JSON document into generic values (numbers kept as
// json.Number), reporting duplicate object keys, which encoding/json would
// silently resolve to the last one.
func DecodeJSON(data []byte) (any, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("empty: want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var ps Problems
	v, err := decodeValue(dec, "", 0, &ps)
	if errors.Is(err, errTooDeep) {
		return nil, ps
	}
	if err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("not valid JSON: more than one value")
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return v, nil
}

// MaxDepth is how deeply arrays and objects may nest in an input: far more
// than any real spec needs (a spec is about 5 levels deep).
const MaxDepth = 64

var errTooDeep = errors.New("nested too deeply")

func decodeValue(dec *json.Decoder, path string, depth int, ps *Problems) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if depth >= MaxDepth {
			ps.add(path, "nested more than %d levels deep", MaxDepth)
			return nil, errTooDeep
		}
		if t == '[' {
			list := []any{}
			for i := 0; dec.More(); i++ {
				v, err := decodeValue(dec, join(path, i), depth+1, ps)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			_, err := dec.Token()
			return list, err
		}
		obj := map[string]any{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k := kt.(string)
			v, err := decodeValue(dec, join(path, k), depth+1, ps)
			if err != nil {
				return nil, err
			}
			if _, dup := obj[k]; dup {
				ps.add(join(path, k), "duplicate key (JSON keeps only one of them; remove the other)")
			}
			obj[k] = v
		}
		_, err := dec.Token()
		return obj, err
	default:
		return t, nil
	}
}

// checkStrings reports every key or string value, at any depth, holding a
// control character (newline, NUL, ...): written into a Proxmox or LXC
// config file, it would start a new line, that is inject a setting.
func checkStrings(v any, path string, ps *Problems) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if hasControl(k) {
				ps.add(join(path, fmt.Sprintf("%q", k)), "key contains a control character (newline, NUL, tab...)")
			}
			checkStrings(x, join(path, k), ps)
		}
	case []any:
		for i, x := range t {
			checkStrings(x, join(path, i), ps)
		}
	case string:
		if notesPath.MatchString(path) {
			// A container's notes may have several lines: pct keeps each as
			// a '#' line, percent-encoded (a newline cannot escape it), and
			// they travel as one argv element. Nothing else may.
			t = strings.ReplaceAll(t, "\n", "")
		}
		if hasControl(t) {
			ps.add(path, "contains a control character (newline, NUL, tab...): not allowed in any value")
		}
	}
}

// notesPath is where a container's description (its notes) sits.
var notesPath = regexp.MustCompile(`^(lxc_configs\.[^.]+|container)\.description$`)

func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}
