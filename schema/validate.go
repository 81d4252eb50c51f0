package schema

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/xeipuuv/gojsonschema"
)

// compiled holds the parsed embedded schemas, built once on first use.
var compiled struct {
	once         sync.Once
	config, args *gojsonschema.Schema
	configTree   map[string]any
	argsTree     map[string]any
	err          error
}

func load() error {
	compiled.once.Do(func() {
		c := &compiled
		if c.err = json.Unmarshal(ConfigSchema, &c.configTree); c.err != nil {
			return
		}
		if c.err = json.Unmarshal(ArgsSchema, &c.argsTree); c.err != nil {
			return
		}
		if c.config, c.err = gojsonschema.NewSchema(gojsonschema.NewGoLoader(runtimeSchema(c.configTree))); c.err != nil {
			return
		}
		c.args, c.err = gojsonschema.NewSchema(gojsonschema.NewGoLoader(runtimeSchema(c.argsTree)))
	})
	if compiled.err != nil {
		return fmt.Errorf("embedded schema is broken (rebuild with go generate ./...): %w", compiled.err)
	}
	return nil
}

// validateTree checks a decoded document against a schema and returns one
// problem per violation, each naming the JSON path of the field.
func validateTree(s *gojsonschema.Schema, tree map[string]any, doc any) Problems {
	res, err := s.Validate(gojsonschema.NewGoLoader(doc))
	if err != nil {
		return Problems{{Rule: "cannot validate: " + err.Error()}}
	}
	var all []found
	for _, e := range res.Errors() {
		all = append(all, found{describe(e, tree), e.Type() == "number_any_of"})
	}
	var ps Problems
	seen := map[string]bool{}
	for _, f := range all {
		if !seen[f.String()] && f.theReason(all) {
			seen[f.String()] = true
			ps = append(ps, f.Problem)
		}
	}
	return ps
}

// found is one violation; anyOf marks a value that matches no alternative
// of an anyOf.
type found struct {
	Problem
	anyOf bool
}

// theReason reports whether f is the reason to give for its field, one per
// field: a value that matches no alternative of an anyOf gets the anyOf's
// problem (the field's description), not each alternative's complaint; a
// problem deeper inside the value is more precise and replaces the anyOf's.
func (f found) theReason(all []found) bool {
	for _, g := range all {
		switch {
		case f.anyOf && strings.HasPrefix(g.Path, f.Path+"."):
			return false
		case !f.anyOf && g.anyOf && g.Path == f.Path:
			return false
		}
	}
	return true
}

// describe turns one gojsonschema error into a Problem with a full path.
func describe(e gojsonschema.ResultError, tree map[string]any) Problem {
	path := strings.TrimPrefix(strings.TrimPrefix(e.Context().String(), "(root)"), ".")
	prop, _ := e.Details()["property"].(string)
	switch e.Type() {
	case "required":
		return Problem{Path: join(path, prop), Rule: "is required"}
	case "additional_property_not_allowed":
		rule := "unknown field"
		if s := Suggest(prop, propertyNames(schemaAt(tree, path))); s != "" {
			rule += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return Problem{Path: join(path, prop), Rule: rule}
	case "number_any_of":
		if d, ok := schemaAt(tree, path)["description"].(string); ok {
			return Problem{Path: path, Rule: "must be " + lowerFirst(d)}
		}
	}
	return Problem{Path: path, Rule: lowerFirst(e.Description())}
}

// schemaAt walks a schema tree along a JSON path ("lxc_configs.950.name").
func schemaAt(node map[string]any, path string) map[string]any {
	if path == "" {
		return node
	}
	for _, seg := range strings.Split(path, ".") {
		node = child(node, seg)
		if node == nil {
			return nil
		}
	}
	return node
}

func child(node map[string]any, seg string) map[string]any {
	if props, ok := node["properties"].(map[string]any); ok {
		if c, ok := props[seg].(map[string]any); ok {
			return c
		}
	}
	if pats, ok := node["patternProperties"].(map[string]any); ok {
		for pat, c := range pats {
			if regexp.MustCompile(pat).MatchString(seg) {
				c, _ := c.(map[string]any)
				return c
			}
		}
	}
	if _, err := strconv.Atoi(seg); err == nil {
		if items, ok := node["items"].(map[string]any); ok {
			return items
		}
	}
	if alts, ok := node["anyOf"].([]any); ok {
		for _, alt := range alts {
			if c := child(alt.(map[string]any), seg); c != nil {
				return c
			}
		}
	}
	return nil
}

func propertyNames(node map[string]any) []string {
	props, _ := node["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
