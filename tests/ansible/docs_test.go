package ansible

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// repoRoot is the repository root, two folders up from this package.
var repoRoot = filepath.Join("..", "..")

// docOption is one option of the module's DOCUMENTATION.
type docOption struct {
	Type       string               `yaml:"type"`
	Default    any                  `yaml:"default"`
	Choices    []any                `yaml:"choices"`
	NoLog      bool                 `yaml:"no_log"`
	Suboptions map[string]docOption `yaml:"suboptions"`
}

// schemaProp is one property of schema/module_args.schema.json.
type schemaProp struct {
	Type       string                `json:"type"`
	Default    any                   `json:"default"`
	Enum       []any                 `json:"enum"`
	AnyOf      []json.RawMessage     `json:"anyOf"`
	Secret     bool                  `json:"x-secret"`
	Properties map[string]schemaProp `json:"properties"`
}

func loadDocs(t *testing.T) map[string]docOption {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "plugins", "modules", "phoenix_lxc.yml"))
	require.NoError(t, err)
	var doc struct {
		Documentation struct {
			Options map[string]docOption `yaml:"options"`
		} `yaml:"DOCUMENTATION"`
		Examples string         `yaml:"EXAMPLES"`
		Return   map[string]any `yaml:"RETURN"`
	}
	require.NoError(t, yaml.Unmarshal(data, &doc), "plugins/modules/phoenix_lxc.yml is not valid YAML")
	require.NotEmpty(t, doc.Examples, "EXAMPLES is missing")
	require.NotEmpty(t, doc.Return, "RETURN is missing")
	return doc.Documentation.Options
}

func loadSchema(t *testing.T) map[string]schemaProp {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "schema", "module_args.schema.json"))
	require.NoError(t, err)
	var s struct {
		Properties map[string]schemaProp `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(data, &s))
	return s.Properties
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ansibleTypes are the documented types that fit a JSON Schema type.
func ansibleTypes(p schemaProp) []string {
	switch {
	case len(p.AnyOf) > 0:
		return []string{"raw"}
	case p.Type == "integer":
		return []string{"int"}
	case p.Type == "number":
		return []string{"float"}
	case p.Type == "boolean":
		return []string{"bool"}
	case p.Type == "string":
		return []string{"str", "path"}
	case p.Type == "array":
		return []string{"list"}
	case p.Type == "object":
		return []string{"dict"}
	}
	return []string{"raw"}
}

// TestDocsMatchSchema fails when an option is documented but not in the
// schema or the other way round, or when a type, default or choice differs:
// ansible-doc would then tell users something the module does not do.
func TestDocsMatchSchema(t *testing.T) {
	docs, schema := loadDocs(t), loadSchema(t)
	require.Equal(t, keys(schema), keys(docs), "documented options differ from schema/module_args.schema.json")
	for name, p := range schema {
		d := docs[name]
		assert.Contains(t, ansibleTypes(p), d.Type, "option %s: documented type", name)
		assert.Equal(t, norm(p.Default), norm(d.Default), "option %s: documented default", name)
		assert.Equal(t, norm(p.Enum), norm(d.Choices), "option %s: documented choices", name)
	}
}

// TestContainerDocsMatchSchema checks the container suboptions the same
// way, and that every secret field of the spec is documented no_log.
func TestContainerDocsMatchSchema(t *testing.T) {
	docs, schema := loadDocs(t)["container"].Suboptions, loadSchema(t)["container"].Properties
	require.Equal(t, keys(schema), keys(docs), "documented container fields differ from the schema")
	for name, p := range schema {
		d := docs[name]
		assert.Contains(t, ansibleTypes(p), d.Type, "container.%s: documented type", name)
		assert.Equal(t, p.Secret, d.NoLog, "container.%s: no_log must match the schema's x-secret", name)
		if len(p.Enum) > 0 {
			assert.Equal(t, norm(p.Enum), norm(d.Choices), "container.%s: documented choices", name)
		}
		if len(p.Properties) > 0 {
			assert.Equal(t, keys(p.Properties), keys(d.Suboptions), "container.%s: documented fields", name)
		}
	}
}

// norm makes YAML and JSON scalars comparable (ints versus float64).
func norm(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		if len(x) == 0 {
			return nil
		}
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = fmt.Sprint(e)
		}
		return out
	}
	return fmt.Sprint(v)
}
