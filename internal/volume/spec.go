package volume

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/hostpath"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// Spec is one shared volume as the host sees it: the directory, the host ids
// that must own every entry in it, and the optional mode of the top directory.
type Spec struct {
	HostPath string      // absolute, clean, no symlink in any component
	UID, GID int         // host ids (already mapped through the proven id map)
	Mode     os.FileMode // mode of the top directory, Go convention (os.ModeSetgid, ...)
	HasMode  bool        // false leaves the top directory's mode as it is
	// KeepOwners is an idmapped volume's: the folder keeps its host owner
	// and nothing in it is chowned; one owned otherwise is refused. (A
	// folder the run makes is new and empty: the pipeline hands it over.)
	KeepOwners bool
}

// FromShared turns a spec's shared volume into a Spec: the owner (container
// "uid:gid", default "0:0") is mapped to host ids through m, the proven id
// map, and the mode string, when given, is parsed. An owner outside the map,
// a malformed mode or a refused host path is an error.
func FromShared(v schema.SharedVolume, m idmap.Set) (Spec, error) {
	s := Spec{HostPath: v.HostPath}
	if err := CheckPath(v.HostPath); err != nil {
		return s, err
	}
	cu, cg, err := v.OwnerIDs()
	if err != nil {
		return s, fmt.Errorf("shared volume %s: owner %q is not container \"uid:gid\" (e.g. \"1000:1000\")", v.HostPath, v.Owner)
	}
	if v.Idmapped {
		// The mount maps owner to these host ids itself (mpN idmap=).
		hu, hg, err := v.HostIDs()
		if err != nil {
			return s, fmt.Errorf("shared volume %s: %w", v.HostPath, err)
		}
		s.UID, s.GID, s.KeepOwners = int(hu), int(hg), true
		return s, setMode(&s, v)
	}
	hu, okU := m.ToHost(idmap.UID, cu)
	hg, okG := m.ToHost(idmap.GID, cg)
	if !okU || !okG {
		return s, fmt.Errorf("shared volume %s: owner %d:%d is outside the container's id map (%s); use an owner the map covers or add it to idmap",
			v.HostPath, cu, cg, strings.Join(m.Strings(), ", "))
	}
	s.UID, s.GID = int(hu), int(hg)
	return s, setMode(&s, v)
}

// setMode fills s's mode from v's, when given.
func setMode(s *Spec, v schema.SharedVolume) error {
	if v.Mode == "" {
		return nil
	}
	mode, err := ParseMode(v.Mode)
	if err != nil {
		return fmt.Errorf("shared volume %s: %w", v.HostPath, err)
	}
	s.Mode, s.HasMode = mode, true
	return nil
}

// ParseMode reads an octal mode such as "0750", "750" or "2775" into an
// os.FileMode, carrying setuid, setgid and sticky bits over to Go's flags.
func ParseMode(text string) (os.FileMode, error) {
	n, err := strconv.ParseUint(text, 8, 32)
	if err != nil || n > 0o7777 || text == "" {
		return 0, fmt.Errorf("mode %q is not an octal mode between 0000 and 7777", text)
	}
	m := os.FileMode(n & 0o777)
	if n&0o4000 != 0 {
		m |= os.ModeSetuid
	}
	if n&0o2000 != 0 {
		m |= os.ModeSetgid
	}
	if n&0o1000 != 0 {
		m |= os.ModeSticky
	}
	return m, nil
}

// FormatMode writes m as four octal digits, as chmod takes it ("2775").
func FormatMode(m os.FileMode) string {
	return fmt.Sprintf("%04o", unixMode(m))
}

// unixMode is m as the permission bits chmod(2) takes.
func unixMode(m os.FileMode) uint32 {
	u := uint32(m.Perm())
	if m&os.ModeSetuid != 0 {
		u |= 0o4000
	}
	if m&os.ModeSetgid != 0 {
		u |= 0o2000
	}
	if m&os.ModeSticky != 0 {
		u |= 0o1000
	}
	return u
}

// CheckPath refuses a host path that cannot be a shared volume; see
// hostpath.CheckVolume. It does not look at the filesystem; Observe and
// Apply refuse symlinks.
func CheckPath(p string) error { return hostpath.CheckVolume(p) }
