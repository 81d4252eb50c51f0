// Command gen writes the JSON Schemas of phoenix_lxc (the config file and
// the module options) from the Go types in package schema. It runs at
// generate time only (go generate ./...), so the reflection library never
// ends up in the module binary, which embeds the files it writes.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"

	"github.com/invopop/jsonschema"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	files, err := generate()
	if err == nil {
		for name, data := range files {
			if err = os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				break
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "schema/gen:", err)
		os.Exit(1)
	}
}

// generate returns the file name and content of each schema.
func generate() (map[string][]byte, error) {
	config := reflectType(&schema.ConfigFile{}, "phoenix_lxc config file (phoenix_lxc_configs.json)")
	config.PatternProperties = map[string]*jsonschema.Schema{"^nvidia_": {Type: "string"}}
	lc := config.Properties.Value("lxc_configs")
	lc.PatternProperties = map[string]*jsonschema.Schema{schema.CTIDKeyPattern: lc.AdditionalProperties}
	lc.AdditionalProperties = jsonschema.FalseSchema

	args := reflectType(&schema.Options{}, "phoenix_lxc module options")
	out := map[string][]byte{}
	for name, s := range map[string]*jsonschema.Schema{
		schema.ConfigSchemaFile: config,
		schema.ArgsSchemaFile:   args,
	} {
		data, err := marshal(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = data
	}
	return out, nil
}

// reflector is the one configuration used for every type: everything
// inlined (no $ref), draft-07 keywords only (what gojsonschema knows).
func reflector() *jsonschema.Reflector {
	return &jsonschema.Reflector{
		Anonymous:      true,
		DoNotReference: true,
		ExpandedStruct: true,
		Mapper:         mapType,
	}
}

func reflectType(v any, title string) *jsonschema.Schema {
	s := reflector().Reflect(v)
	s.Version = "http://json-schema.org/draft-07/schema#"
	s.Title = title
	return s
}

// mapType gives the types whose JSON form tags cannot describe their schema.
func mapType(t reflect.Type) *jsonschema.Schema {
	switch t {
	case reflect.TypeOf(schema.CTID(0)):
		return ctidSchema()
	case reflect.TypeOf(schema.CTIDSet{}):
		return &jsonschema.Schema{
			Description: "A list of CTIDs, a comma-separated string of them, or the string all.",
			AnyOf: []*jsonschema.Schema{
				{Type: "string", Enum: []any{"all"}},
				{Type: "array", Items: ctidSchema()},
				{Type: "string", Pattern: schema.CTIDListPattern},
			},
		}
	}
	return nil
}

// ctidSchema accepts 900 and "900" (the old files wrote some as strings).
func ctidSchema() *jsonschema.Schema {
	min, max := json.Number("100"), json.Number("999999999")
	return &jsonschema.Schema{
		Description: "A container ID (100..999999999), as a number or a string of digits.",
		AnyOf: []*jsonschema.Schema{
			{Type: "integer", Minimum: min, Maximum: max},
			{Type: "string", Pattern: schema.CTIDKeyPattern},
		},
	}
}

// marshal writes indented JSON with a final newline, after the spec
// post-processing that applies wherever a spec occurs.
func marshal(s *jsonschema.Schema) ([]byte, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var tree map[string]any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return nil, err
	}
	postProcess(tree)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(tree); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
