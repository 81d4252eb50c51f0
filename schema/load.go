package schema

import (
	"fmt"
	"sort"
)

// LoadConfigFile reads a config file (phoenix_lxc_configs.json), validates
// it (schema, then semantic rules), and merges in the shared volumes of the
// hypervisor config at hypervisorPath (may be ""). All problems come back
// together as Problems; warnings are for things skipped. Every error names
// the file it is about.
func LoadConfigFile(path, hypervisorPath string) (*ConfigFile, []string, error) {
	data, err := ReadInputFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("config file %s: cannot read it: %w", path, err)
	}
	cf, located, ps := ParseConfig(data)
	var warnings []string
	if len(ps) == 0 && hypervisorPath != "" {
		vols, w, err := LoadHostVolumes(hypervisorPath)
		if err != nil {
			return nil, nil, err
		}
		warnings = append(warnings, w...)
		warnings = append(warnings, MergeHostVolumes(located, vols)...)
	}
	if len(ps) == 0 {
		ps = CheckFleet(located)
	}
	if len(ps) > 0 {
		return nil, warnings, ps.inFile(path)
	}
	return cf, warnings, nil
}

// ParseConfig decodes and schema-checks a config file's content and returns
// its containers in CTID order. The semantic rules are not applied yet.
func ParseConfig(data []byte) (*ConfigFile, []Located, Problems) {
	if err := load(); err != nil {
		return nil, nil, Problems{{Rule: err.Error()}}
	}
	tree, err := decodeFile(data)
	if err != nil {
		return nil, nil, asProblems(err)
	}
	root, ok := tree.(map[string]any)
	if !ok {
		return nil, nil, Problems{{Rule: "want a JSON object with lxc_configs"}}
	}
	var ps Problems
	checkStrings(tree, "", &ps)
	specs, _ := root["lxc_configs"].(map[string]any)
	ids := ctidKeys(specs, "lxc_configs", &ps)
	doc := withoutSettings(root)
	if specs, ok := doc["lxc_configs"].(map[string]any); ok { // a copy
		for k := range specs {
			if _, ok := ids[k]; !ok {
				delete(specs, k) // refused by ctidKeys; the schema would only say "unknown field"
			}
		}
	}
	ps = append(ps, validateTree(compiled.config, compiled.configTree, doc)...)
	var cf ConfigFile
	if ps = decodeInto(tree, &cf, ps); len(ps) > 0 {
		return nil, nil, ps
	}
	var located []Located
	for key, spec := range cf.LXCConfigs {
		located = append(located, Located{CTID: ids[key], Path: join("lxc_configs", key), Spec: spec})
	}
	sort.Slice(located, func(i, j int) bool { return located[i].CTID < located[j].CTID })
	return &cf, located, nil
}

// decodeFile decodes a config file or hypervisor config. Whatever is not
// JSON is told that these files are (a YAML file is the usual mistake).
func decodeFile(data []byte) (any, error) {
	tree, err := DecodeJSON(data)
	if _, ok := err.(Problems); err != nil && !ok {
		err = fmt.Errorf("%w (config files are JSON, not YAML)", err)
	}
	return tree, err
}

// asProblems keeps Problems as they are and wraps any other error.
func asProblems(err error) Problems {
	if ps, ok := err.(Problems); ok {
		return ps
	}
	return Problems{{Rule: err.Error()}}
}
