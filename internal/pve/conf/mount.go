package conf

import (
	"fmt"
	"regexp"
	"strings"
)

var rootfsSchema = Schema{
	DefaultKey: "volume",
	Required:   []string{"volume"},
	Keys: map[string]PropKind{
		"volume": PropString, "size": PropSize, "acl": PropBool, "mountoptions": PropString,
		"ro": PropBool, "quota": PropBool, "replicate": PropBool, "shared": PropBool, "idmap": PropString,
	},
}

var mountSchema = func() Schema {
	s := Schema{DefaultKey: "volume", Required: []string{"mp", "volume"}, Keys: map[string]PropKind{
		"mp": PropString, "backup": PropBool, "keepattrs": PropBool,
	}}
	for k, v := range rootfsSchema.Keys {
		s.Keys[k] = v
	}
	return s
}()

var unusedSchema = Schema{DefaultKey: "volume", Keys: map[string]PropKind{"volume": PropString}}

// MountPoint is an mpN value, or the rootfs value (MP empty).
type MountPoint struct {
	Volume                                               string // storage volume, absolute host path (bind) or /dev/... (device)
	MP                                                   string // path inside the container; empty for rootfs
	Size                                                 string // informational, e.g. "8G"
	MountOptions                                         string // ';'-separated: discard lazytime noatime nodev noexec nosuid
	IDMap                                                string // idmapped mount: "passthrough" or "u:1000:1000:1;..."
	ACL, Backup, KeepAttrs, Quota, Replicate, RO, Shared *bool
}

// reIDMap is pve-container's pattern for a mount point's idmap (6.1.6).
var reIDMap = regexp.MustCompile(`^(?:passthrough|[ug]:[0-9]+:[0-9]+:[1-9][0-9]*(?:;[ug]:[0-9]+:[0-9]+:[1-9][0-9]*)*)$`)

var reMountOpts = regexp.MustCompile(`^(discard|lazytime|noatime|nodev|noexec|nosuid)(;(discard|lazytime|noatime|nodev|noexec|nosuid))*$`)

// ParseMountPoint reads an mpN value such as "/srv/share,mp=/data,ro=1".
func ParseMountPoint(s string) (MountPoint, error) { return parseMount(s, mountSchema) }

// ParseRootFS reads a rootfs value such as "local-lvm:vm-100-disk-0,size=8G".
func ParseRootFS(s string) (MountPoint, error) { return parseMount(s, rootfsSchema) }

func parseMount(s string, sc Schema) (MountPoint, error) {
	p, err := ParseProps(s, sc)
	if err != nil {
		return MountPoint{}, err
	}
	m := MountPoint{
		Volume: p.str("volume"), MP: p.str("mp"), Size: p.str("size"),
		MountOptions: p.str("mountoptions"), IDMap: p.str("idmap"),
		ACL: p.boolp("acl"), Backup: p.boolp("backup"), KeepAttrs: p.boolp("keepattrs"),
		Quota: p.boolp("quota"), Replicate: p.boolp("replicate"), RO: p.boolp("ro"), Shared: p.boolp("shared"),
	}
	for _, path := range []string{m.Volume, m.MP} {
		if illegalPath(path) {
			return MountPoint{}, fmt.Errorf("%s contains illegal character sequences", path)
		}
	}
	if m.MountOptions != "" && !reMountOpts.MatchString(m.MountOptions) {
		return MountPoint{}, fmt.Errorf("format error - mountoptions: value does not match the regex pattern")
	}
	if m.IDMap != "" && !reIDMap.MatchString(m.IDMap) {
		return MountPoint{}, fmt.Errorf("format error - idmap: value does not match the regex pattern")
	}
	return m, nil
}

// illegalPath reports the sequences pct refuses in mount paths: "/./" or
// "/../" anywhere, a trailing "/." or "/..", or a leading "./" or "../".
func illegalPath(p string) bool {
	return strings.Contains(p, "/./") || strings.Contains(p, "/../") ||
		strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..") ||
		strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../")
}

// Type classifies the mount point as pct does: "device" for /dev/...,
// "bind" for any other absolute path, else "volume" (a storage volume).
func (m MountPoint) Type() string {
	switch {
	case strings.HasPrefix(m.Volume, "/dev/"):
		return "device"
	case strings.HasPrefix(m.Volume, "/"):
		return "bind"
	}
	return "volume"
}

// String prints the value in pct's canonical form, e.g.
// "local-lvm:vm-100-disk-1,mp=/srv,backup=1,size=10G".
func (m MountPoint) String() string {
	var p Props
	p.add("volume", m.Volume)
	p.add("mp", m.MP)
	p.add("size", m.Size)
	p.add("mountoptions", m.MountOptions)
	p.add("idmap", m.IDMap)
	p.addBool("acl", m.ACL)
	p.addBool("backup", m.Backup)
	p.addBool("keepattrs", m.KeepAttrs)
	p.addBool("quota", m.Quota)
	p.addBool("replicate", m.Replicate)
	p.addBool("ro", m.RO)
	p.addBool("shared", m.Shared)
	return p.Print(mountSchema)
}
