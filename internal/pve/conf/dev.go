package conf

import (
	"fmt"
	"regexp"
	"strings"
)

var devSchema = Schema{DefaultKey: "path", Keys: map[string]PropKind{
	"path": PropString, "deny-write": PropBool, "gid": PropString, "mode": PropString, "uid": PropString,
}}

// Dev is a devN value, e.g. "/dev/dri/renderD128,gid=104,mode=0660".
type Dev struct {
	Path      string
	UID, GID  *int
	Mode      string // octal, e.g. "0660"
	DenyWrite *bool
}

var reMode = regexp.MustCompile(`^0[0-7]{3}$`)

// ParseDev reads a devN value. The path must start with /dev/ and must
// not contain /./ or /../.
func ParseDev(s string) (Dev, error) {
	p, err := ParseProps(s, devSchema)
	if err != nil {
		return Dev{}, err
	}
	d := Dev{Path: p.str("path"), Mode: p.str("mode"), DenyWrite: p.boolp("deny-write")}
	if _, ok := p.Get("path"); !ok {
		return Dev{}, fmt.Errorf("Path has to be defined")
	}
	if !strings.HasPrefix(d.Path, "/dev/") || strings.Contains(d.Path, "/./") || strings.Contains(d.Path, "/../") {
		return Dev{}, fmt.Errorf("%s is not a valid device path", d.Path)
	}
	if d.UID, err = p.intp("uid", 0, 1<<31-1); err != nil {
		return Dev{}, err
	}
	if d.GID, err = p.intp("gid", 0, 1<<31-1); err != nil {
		return Dev{}, err
	}
	if d.Mode != "" && !reMode.MatchString(d.Mode) {
		return Dev{}, fmt.Errorf("format error - mode: value does not match the regex pattern")
	}
	return d, nil
}

// String prints the value in pct's canonical form: the path first, then
// the other keys sorted.
func (d Dev) String() string {
	var p Props
	p.add("path", d.Path)
	p.addBool("deny-write", d.DenyWrite)
	p.addInt("gid", d.GID)
	p.add("mode", d.Mode)
	p.addInt("uid", d.UID)
	return p.Print(devSchema)
}
