package conf

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// kind is the type of a main-section key (pct-spec.md §2.7).
type kind int

const (
	kString kind = iota
	kBool
	kInt
	kNumber
)

// keyDef describes one known key: its type, and the extra rules that pct
// applies when the key is set (enum, range, format). Parse checks the
// type and the format, as pct's loader does; Check also checks enum and
// range, which pct enforces on `pct set`.
type keyDef struct {
	kind     kind
	enum     []string
	min, max float64 // range, when max > 0
	format   func(string) error
}

var keyDefs = map[string]keyDef{
	"arch":         {enum: strings.Fields("amd64 i386 arm64 armhf riscv32 riscv64")},
	"cmode":        {enum: strings.Fields("shell console tty")},
	"console":      {kind: kBool},
	"cores":        {kind: kInt, min: 1, max: 8192},
	"cpulimit":     {kind: kNumber, min: 0, max: 8192},
	"cpuunits":     {kind: kInt, min: 0, max: 500000},
	"debug":        {kind: kBool},
	"description":  {},
	"entrypoint":   {},
	"env":          {},
	"features":     {format: func(s string) error { _, err := ParseFeatures(s); return err }},
	"hookscript":   {},
	"hostname":     {format: checkDNSName},
	"lock":         {enum: strings.Fields("backup create destroyed disk fstrim migrate mounted rollback snapshot snapshot-delete")},
	"memory":       {kind: kInt, min: 16, max: 1 << 53},
	"nameserver":   {},
	"onboot":       {kind: kBool},
	"ostype":       {enum: strings.Fields("debian devuan ubuntu centos fedora opensuse archlinux alpine gentoo nixos unmanaged")},
	"parent":       {},
	"protection":   {kind: kBool},
	"rootfs":       {format: func(s string) error { _, err := ParseRootFS(s); return err }},
	"searchdomain": {},
	"snaptime":     {kind: kInt},
	"startup":      {format: checkStartup},
	"swap":         {kind: kInt, min: 0, max: 1 << 53},
	"tags":         {format: checkTags},
	"template":     {kind: kBool},
	"timezone":     {},
	"tty":          {kind: kInt, min: 0, max: 6},
	"unprivileged": {kind: kBool},
}

// indexed keys: prefix, highest index, definition.
var indexedKeys = []struct {
	prefix string
	max    int
	def    keyDef
}{
	{"mp", 255, keyDef{format: func(s string) error { _, err := ParseMountPoint(s); return err }}},
	{"net", 31, keyDef{format: func(s string) error { _, err := ParseNet(s); return err }}},
	{"dev", 255, keyDef{format: func(s string) error { _, err := ParseDev(s); return err }}},
	{"unused", 255, keyDef{format: checkUnused}},
}

// lookupKey returns the definition of a main-section key.
func lookupKey(key string) (keyDef, bool) {
	if d, ok := keyDefs[key]; ok {
		return d, true
	}
	for _, ik := range indexedKeys {
		rest, ok := strings.CutPrefix(key, ik.prefix)
		if !ok || rest == "" || (len(rest) > 1 && rest[0] == '0') {
			continue
		}
		if n, err := strconv.Atoi(rest); err == nil && n <= ik.max {
			return ik.def, true
		}
	}
	return keyDef{}, false
}

var (
	reInt    = regexp.MustCompile(`^[0-9]+$`)
	reNumber = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
)

// checkType is pct's load-time check of a normal key: it returns the
// value as pct stores it (booleans as 1/0, integers without leading
// zeros) or an error in pct's words. On error the raw value is kept.
func checkType(key, value string) (string, error) {
	d, ok := lookupKey(key)
	if !ok {
		return value, fmt.Errorf("unknown setting '%s'", key)
	}
	if strings.ContainsAny(value, "\r\n") {
		return value, fmt.Errorf("property contains a line feed")
	}
	switch d.kind {
	case kBool:
		if b, ok := parseBool(value); ok {
			if b {
				return "1", nil
			}
			return "0", nil
		}
		return value, fmt.Errorf("type check ('boolean') failed - got '%s'", value)
	case kInt:
		if reInt.MatchString(value) {
			return trimZeros(value), nil
		}
		return value, fmt.Errorf("type check ('integer') failed - got '%s'", value)
	case kNumber:
		if reNumber.MatchString(value) {
			return value, nil
		}
		return value, fmt.Errorf("type check ('number') failed - got '%s'", value)
	}
	if d.format != nil {
		if err := d.format(value); err != nil {
			return value, err
		}
	}
	return value, nil
}

// checkRange applies the enum and range rules that pct enforces on set.
func checkRange(key, value string) error {
	d, ok := lookupKey(key)
	if !ok {
		return nil
	}
	if d.enum != nil {
		for _, e := range d.enum {
			if e == value {
				return nil
			}
		}
		return fmt.Errorf("value '%s' does not have a value in the enumeration '%s'", value, strings.Join(d.enum, ", "))
	}
	if d.max > 0 && (d.kind == kInt || d.kind == kNumber) {
		f, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return nil // the type check reports it
		}
		if f < d.min {
			return fmt.Errorf("value must have a minimum value of %v", d.min)
		}
		if f > d.max {
			return fmt.Errorf("value must have a maximum value of %v", d.max)
		}
	}
	return nil
}

// parseBool reads pct's boolean spellings, case-insensitively.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "1", "on", "yes", "true":
		return true, true
	case "0", "off", "no", "false":
		return false, true
	}
	return false, false
}

// trimZeros drops the leading zeros of a decimal integer.
func trimZeros(s string) string {
	t := strings.TrimLeft(s, "0")
	if t == "" {
		return "0"
	}
	return t
}

var (
	reDNSName = regexp.MustCompile(`^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])\.)*(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9\-]*[A-Za-z0-9])$`)
	reStartup = regexp.MustCompile(`^(?:(?:order=)?[0-9]+)?(?:,?up=[0-9]+)?(?:,?down=[0-9]+)?$`)
	reTag     = regexp.MustCompile(`^(?i)[a-z0-9_][a-z0-9_\-+.]*$`)
)

func checkDNSName(s string) error {
	if len(s) > 255 || !reDNSName.MatchString(s) {
		return fmt.Errorf("invalid format - value does not look like a valid DNS name")
	}
	return nil
}

func checkStartup(s string) error {
	if !reStartup.MatchString(s) || strings.HasPrefix(s, ",") {
		return fmt.Errorf("invalid format - unable to parse startup options")
	}
	return nil
}

func checkTags(s string) error {
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == ' ' }) {
		if !reTag.MatchString(t) {
			return fmt.Errorf("invalid format - invalid tag '%s'", t)
		}
	}
	return nil
}

func checkUnused(s string) error {
	p, err := ParseProps(s, unusedSchema)
	if err != nil {
		return err
	}
	if v, _ := p.Get("volume"); v == "" {
		return fmt.Errorf("format error - volume: property is missing and it is not optional")
	}
	return nil
}
