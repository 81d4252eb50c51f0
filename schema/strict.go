package schema

import (
	"encoding/json"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// decodeInto fills v (a pointer to a struct) from a decoded tree (numbers
// as json.Number) the way encoding/json does, but strictly, with every
// problem naming its field:
//   - keys match the json names exactly. encoding/json also takes a key
//     that differs only in case (vllm_PORT for vllm_port), which would slip
//     an application setting past the field's schema. Such a key is an
//     unknown field with a did-you-mean; any other key that is not a field
//     (an application setting) is left out before encoding/json sees it.
//   - a number must fit its Go field: an integer field takes a whole
//     number written in digits (not 2.5, 1e6 or 1e400) within its range.
//   - a type with its own UnmarshalJSON (CTID) reports at its path.
//
// found are the problems found so far (the schema's); decodeInto adds its
// own for the fields that have none yet, and decodes only when there are
// none at all.
func decodeInto(tree any, v any, found Problems) Problems {
	var more Problems
	kept := strictTree(tree, reflect.TypeOf(v), "", &more)
	ps := append(found, more.notAt(found)...)
	if len(ps) > 0 {
		return ps
	}
	data, err := json.Marshal(kept)
	if err == nil {
		err = json.Unmarshal(data, v)
	}
	if err != nil {
		return Problems{{Rule: err.Error()}}
	}
	return nil
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// strictTree returns the part of v that t has fields for, adding a problem
// for each key and number that would not decode exactly.
func strictTree(v any, t reflect.Type, path string, ps *Problems) any {
	if v == nil {
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		raw, err := json.Marshal(v)
		if err == nil {
			err = reflect.New(t).Interface().(json.Unmarshaler).UnmarshalJSON(raw)
		}
		if err != nil {
			ps.add(path, "%v", err)
		}
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		if t.Kind() == reflect.Map {
			out := make(map[string]any, len(x))
			for k, val := range x {
				out[k] = strictTree(val, t.Elem(), join(path, k), ps)
			}
			return out
		}
		if t.Kind() == reflect.Struct {
			return strictFields(x, t, path, ps)
		}
	case []any:
		if t.Kind() == reflect.Slice {
			out := make([]any, len(x))
			for i, val := range x {
				out[i] = strictTree(val, t.Elem(), join(path, i), ps)
			}
			return out
		}
	case json.Number:
		checkNumber(x, t, path, ps)
	}
	return v
}

// strictFields keeps the keys of obj that are fields of struct t, exactly.
func strictFields(obj map[string]any, t reflect.Type, path string, ps *Problems) map[string]any {
	fields := map[string]reflect.Type{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			fields[name] = t.Field(i).Type
			names = append(names, name)
		}
	}
	sort.Strings(names)
	out := map[string]any{}
	for k, val := range obj {
		if ft, ok := fields[k]; ok {
			out[k] = strictTree(val, ft, join(path, k), ps)
			continue
		}
		for _, name := range names {
			if strings.EqualFold(k, name) {
				ps.add(join(path, k), "unknown field (did you mean %q? field names are case-sensitive)", Suggest(k, names))
				break
			}
		}
	}
	return out
}

// checkNumber reports a number that the Go type t cannot hold exactly.
func checkNumber(n json.Number, t reflect.Type, path string, ps *Problems) {
	s := string(n)
	var err error
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if strings.ContainsAny(s, ".eE") {
			ps.add(path, "must be a whole number written in digits (no fraction or exponent)")
			return
		}
		_, err = strconv.ParseInt(s, 10, t.Bits())
	case reflect.Float32, reflect.Float64:
		_, err = strconv.ParseFloat(s, t.Bits())
	default:
		return // not a number field: the schema reports the type
	}
	if err != nil {
		ps.add(path, "is out of range")
	}
}
