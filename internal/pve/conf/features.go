package conf

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

var featuresSchema = Schema{Keys: map[string]PropKind{
	"force_rw_sys": PropBool, "fuse": PropBool, "keyctl": PropBool,
	"mknod": PropBool, "mount": PropString, "nesting": PropBool,
}}

// Features is the features value, e.g. "nesting=1,keyctl=1,mount=nfs;cifs".
// A nil flag is not set (pct's default, off).
type Features struct {
	Nesting, Keyctl, Fuse, Mknod, ForceRWSys *bool
	Mount                                    []string // file system types
}

var reFSTypes = regexp.MustCompile(`^[a-zA-Z0-9_; ]+$`)

// ParseFeatures reads a features value.
func ParseFeatures(s string) (Features, error) {
	p, err := ParseProps(s, featuresSchema)
	if err != nil {
		return Features{}, err
	}
	f := Features{
		Nesting: p.boolp("nesting"), Keyctl: p.boolp("keyctl"), Fuse: p.boolp("fuse"),
		Mknod: p.boolp("mknod"), ForceRWSys: p.boolp("force_rw_sys"),
	}
	if m, ok := p.Get("mount"); ok {
		if !reFSTypes.MatchString(m) {
			return Features{}, fmt.Errorf("format error - mount: value does not match the regex pattern")
		}
		f.Mount = strings.Split(m, ";")
	}
	return f, nil
}

// String prints the value with keys sorted, as pct prints it.
func (f Features) String() string {
	var p Props
	p.addBool("force_rw_sys", f.ForceRWSys)
	p.addBool("fuse", f.Fuse)
	p.addBool("keyctl", f.Keyctl)
	p.addBool("mknod", f.Mknod)
	p.add("mount", strings.Join(f.Mount, ";"))
	p.addBool("nesting", f.Nesting)
	return p.Print(featuresSchema)
}

// Merge returns f with every flag that o sets (non-nil) taken from o,
// and o's Mount list if it has one. pct stores features verbatim, so a
// caller that wants to turn one flag on reads the current value, merges,
// and writes the result: the other flags are kept.
func (f Features) Merge(o Features) Features {
	pick := func(a, b *bool) *bool {
		if b != nil {
			return b
		}
		return a
	}
	r := Features{
		Nesting: pick(f.Nesting, o.Nesting), Keyctl: pick(f.Keyctl, o.Keyctl),
		Fuse: pick(f.Fuse, o.Fuse), Mknod: pick(f.Mknod, o.Mknod),
		ForceRWSys: pick(f.ForceRWSys, o.ForceRWSys), Mount: f.Mount,
	}
	if o.Mount != nil {
		r.Mount = o.Mount
	}
	return r
}

// flags are f's boolean flags by their Proxmox names: the one mapping of
// names to fields that Names and Without use.
func (f *Features) flags() map[string]**bool {
	return map[string]**bool{"force_rw_sys": &f.ForceRWSys, "fuse": &f.Fuse, "keyctl": &f.Keyctl, "mknod": &f.Mknod, "nesting": &f.Nesting}
}

// Names are the flags f sets ("mount" for a Mount list), sorted.
func (f Features) Names() []string {
	var out []string
	for name, p := range f.flags() {
		if *p != nil {
			out = append(out, name)
		}
	}
	if f.Mount != nil {
		out = append(out, "mount")
	}
	sort.Strings(out)
	return out
}

// Without returns f with the named flags ("nesting", "mount", ...) unset.
func (f Features) Without(names []string) Features {
	for _, n := range names {
		if p, ok := f.flags()[n]; ok {
			*p = nil
		}
		if n == "mount" {
			f.Mount = nil
		}
	}
	return f
}
