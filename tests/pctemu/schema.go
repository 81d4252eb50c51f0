package main

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// keyType is the schema type of a container config key (pct-spec §2.7).
type keyType struct {
	kind     string // bool, int, number, enum, string
	min, max float64
	enum     []string
}

var ctKeys = map[string]keyType{
	"arch":         {kind: "enum", enum: []string{"amd64", "i386", "arm64", "armhf", "riscv32", "riscv64"}},
	"cmode":        {kind: "enum", enum: []string{"shell", "console", "tty"}},
	"console":      {kind: "bool"},
	"cores":        {kind: "int", min: 1, max: 8192},
	"cpulimit":     {kind: "number", min: 0, max: 8192},
	"cpuunits":     {kind: "int", min: 0, max: 500000},
	"debug":        {kind: "bool"},
	"description":  {kind: "string"},
	"entrypoint":   {kind: "string"},
	"env":          {kind: "string"},
	"features":     {kind: "string"},
	"hookscript":   {kind: "string"},
	"hostname":     {kind: "string"},
	"lock":         {kind: "enum", enum: []string{"backup", "create", "destroyed", "disk", "fstrim", "migrate", "mounted", "rollback", "snapshot", "snapshot-delete"}},
	"memory":       {kind: "int", min: 16, max: -1},
	"nameserver":   {kind: "string"},
	"onboot":       {kind: "bool"},
	"ostype":       {kind: "enum", enum: []string{"debian", "devuan", "ubuntu", "centos", "fedora", "opensuse", "archlinux", "alpine", "gentoo", "nixos", "unmanaged"}},
	"protection":   {kind: "bool"},
	"rootfs":       {kind: "string"},
	"searchdomain": {kind: "string"},
	"startup":      {kind: "string"},
	"swap":         {kind: "int", min: 0, max: -1},
	"tags":         {kind: "string"},
	"template":     {kind: "bool"},
	"timezone":     {kind: "string"},
	"tty":          {kind: "int", min: 0, max: 6},
	"unprivileged": {kind: "bool"},
}

var indexedKey = regexp.MustCompile(`^(mp|net|dev|unused)([0-9]+)$`)

var indexLimit = map[string]int{"mp": 255, "net": 31, "dev": 255, "unused": 255}

// ctKey reports whether k is a settable container key.
func ctKey(k string) bool {
	if _, ok := ctKeys[k]; ok {
		return true
	}
	m := indexedKey.FindStringSubmatch(k)
	if m == nil {
		return false
	}
	n, _ := strconv.Atoi(m[2])
	return n <= indexLimit[m[1]] && (m[2] == "0" || m[2][0] != '0')
}

// ctOptKind is the getopt kind of a container key given as an option.
func ctOptKind(k string) (optKind, bool) {
	if !ctKey(k) {
		return 0, false
	}
	switch {
	case ctKeys[k].kind == "bool":
		return optBool, true
	case k == "nameserver" || k == "searchdomain" || k == "tags":
		return optList, true
	}
	return optString, true
}

// checkValue validates one option value against its key's type and
// returns the value as pct stores it, or a parameter error.
func checkValue(k, v string) (string, error) {
	t, ok := ctKeys[k]
	if !ok {
		return checkIndexed(k, v)
	}
	switch t.kind {
	case "bool":
		b, ok := parseBool(v)
		if !ok || v == "" {
			return "", paramErr(k, "type check ('boolean') failed - got '%s'", v)
		}
		return b, nil
	case "int", "number":
		re := `^-?\d+$`
		if t.kind == "number" {
			re = `^-?\d+(\.\d+)?$`
		}
		if !regexp.MustCompile(re).MatchString(v) {
			return "", paramErr(k, "type check ('%s') failed - got '%s'", map[string]string{"int": "integer", "number": "number"}[t.kind], v)
		}
		f, _ := strconv.ParseFloat(v, 64)
		if f < t.min {
			return "", paramErr(k, "value must have a minimum value of %s", fmtNum(t.min))
		}
		if t.max >= 0 && f > t.max {
			return "", paramErr(k, "value must have a maximum value of %s", fmtNum(t.max))
		}
		if t.kind == "int" {
			n, _ := strconv.ParseInt(v, 10, 64)
			return strconv.FormatInt(n, 10), nil
		}
		return v, nil
	case "enum":
		for _, e := range t.enum {
			if v == e {
				return v, nil
			}
		}
		return "", paramErr(k, "value '%s' does not have a value in the enumeration '%s'", v, strings.Join(t.enum, ", "))
	}
	if strings.ContainsAny(v, "\n\r") && k != "description" {
		return "", paramErr(k, "value contains a newline")
	}
	switch k {
	case "hostname":
		if !dnsName.MatchString(v) {
			return "", paramErr(k, "invalid format - value does not look like a valid DNS name")
		}
	case "tags":
		return normTags(v)
	case "nameserver", "searchdomain":
		return strings.Join(strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }), " "), nil
	case "features":
		if _, err := parseFeatures(v); err != nil {
			return "", paramErr(k, "%v", err)
		}
	}
	return v, nil
}

var dnsName = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)

var tagRe = regexp.MustCompile(`^(?i)[a-z0-9_][a-z0-9_\-+.]*$`)

// normTags lower-cases, sorts and de-duplicates tags, joined with ';'.
func normTags(v string) (string, error) {
	seen := map[string]bool{}
	var out []string
	for _, t := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(",; \t", r) }) {
		if !tagRe.MatchString(t) {
			return "", paramErr("tags", "invalid format - invalid tag '%s'", t)
		}
		t = strings.ToLower(t)
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ";"), nil
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// readOnly and required keys of pct set (pct-spec §3.4).
var requiredKeys = map[string]bool{"memory": true, "rootfs": true, "ostype": true}

// fastPlug keys change the main section at once even while running;
// hotPlug keys are applied live (§2.7).
var fastPlug = map[string]bool{"description": true, "onboot": true, "startup": true, "protection": true,
	"hostname": true, "hookscript": true, "cores": true, "tags": true, "lock": true}

var hotPlug = map[string]bool{"cpulimit": true, "cpuunits": true, "memory": true, "swap": true}
