package volume

import (
	"fmt"
	"strconv"

	"golang.org/x/sys/unix"
)

// Plan is what Apply would change on one volume, as Observe found it.
type Plan struct {
	Spec
	Create  []string // directories to make, outermost first (the last is the volume)
	Chown   int      // entries whose owner differs (the new volume directory counts 1)
	Chmod   bool     // the top directory's mode differs from Spec.Mode
	Visited int      // existing entries looked at
	Skipped int      // entries Apply will leave alone for safety
	Notes   []string // the first skipped entries, "path: reason"

	oldMode uint32 // the top directory's mode as found (0755 when it is to be made)
}

// Observe looks at the volume and reports what Apply would change. It
// changes nothing at all (safe in check mode), follows no symlink, and
// refuses a volume path that is or goes through a symlink.
func Observe(spec Spec) (*Plan, error) {
	if err := validate(spec); err != nil {
		return nil, err
	}
	p := &Plan{Spec: spec, oldMode: 0o755}
	fd, missing, err := openTop(spec.HostPath, false)
	if err != nil {
		return nil, err
	}
	if fd < 0 {
		// Apply makes the directories root:root 0755, then gives the last
		// one its owner and mode.
		p.Create = missing
		if spec.UID != 0 || spec.GID != 0 {
			p.Chown = 1
		}
		p.Chmod = spec.HasMode && unixMode(spec.Mode) != 0o755
		return p, nil
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("shared volume %s: stat: %w", spec.HostPath, err)
	}
	p.oldMode = st.Mode & 0o7777
	w := &walker{uid: spec.UID, gid: spec.GID}
	if err := w.top(fd, spec.HostPath, spec); err != nil {
		return nil, fmt.Errorf("shared volume %s: %w", spec.HostPath, err)
	}
	p.Chown, p.Chmod = w.Chowns, w.Chmods > 0
	p.Visited, p.Skipped, p.Notes = w.Visited, w.Skipped, w.Notes
	return p, nil
}

// Empty reports whether the volume is converged: nothing to make, chown or
// chmod. Skipped entries do not count; they are reported, never changed.
func (p *Plan) Empty() bool {
	return len(p.Create) == 0 && p.Chown == 0 && !p.Chmod
}

// Change is one planned change in words: a short verb, a descriptive
// command line equivalent to what Apply does, and why it is needed.
type Change struct {
	Name string   // mkdir, chown or chmod
	Argv []string // descriptive; Apply makes system calls, it runs no command
	Why  string
}

// Changes lists the plan's changes in the order Apply makes them.
func (p *Plan) Changes() []Change {
	var out []Change
	for i, d := range p.Create {
		why := "missing parent directory of the volume (root:root 0755)"
		if i == len(p.Create)-1 {
			why = "volume directory missing"
		}
		out = append(out, Change{Name: "mkdir", Argv: []string{"mkdir", "-m", "0755", d}, Why: why})
	}
	if p.Chown > 0 {
		owner := strconv.Itoa(p.UID) + ":" + strconv.Itoa(p.GID)
		out = append(out, Change{
			Name: "chown",
			Argv: []string{"chown", "-R", "--no-dereference", owner, p.HostPath},
			Why:  fmt.Sprintf("%d %s not owned by %s", p.Chown, plural(p.Chown, "entry", "entries"), owner),
		})
	}
	if p.Chmod {
		out = append(out, Change{
			Name: "chmod",
			Argv: []string{"chmod", FormatMode(p.Mode), p.HostPath},
			Why:  fmt.Sprintf("mode is %04o, want %s", p.oldMode, FormatMode(p.Mode)),
		})
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
