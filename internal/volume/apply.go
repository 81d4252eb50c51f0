package volume

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Apply brings the volume to spec: it makes the directory and its missing
// parents (root:root 0755), gives every entry whose owner differs to
// spec.UID:spec.GID, and sets the top directory's mode when spec.HasMode.
//
// Apply does not use a Plan: it re-derives every decision from what it finds
// while walking, so it is safe when the tree changed since Observe. It never
// follows a symlink (see the package doc). On error, the Stats say what was
// already done; running Apply again finishes the job.
func Apply(spec Spec) (Stats, error) {
	if err := validate(spec); err != nil {
		return Stats{}, err
	}
	fd, made, err := openTop(spec.HostPath, true)
	if err != nil {
		return Stats{Mkdirs: len(made)}, err
	}
	defer unix.Close(fd)
	w := &walker{uid: spec.UID, gid: spec.GID, apply: true}
	w.Mkdirs = len(made)
	if err := w.top(fd, spec.HostPath, spec); err != nil {
		return w.Stats, fmt.Errorf("shared volume %s: %w (%d entries changed so far; fix the cause and run again)",
			spec.HostPath, err, w.Chowns+w.Chmods)
	}
	return w.Stats, nil
}

// MakeDir makes one directory of a volume's path, and any parent still
// missing, root:root 0755, opening each component with O_NOFOLLOW from "/"
// as Apply does. It is how a plan's folders are made one by one.
func MakeDir(dir string) error {
	if err := CheckPath(dir); err != nil {
		return err
	}
	fd, _, err := openTop(dir, true)
	if err != nil {
		return err
	}
	return unix.Close(fd)
}

// validate checks what Observe and Apply need before touching the disk.
func validate(spec Spec) error {
	if err := CheckPath(spec.HostPath); err != nil {
		return err
	}
	if spec.UID < 0 || spec.GID < 0 || spec.UID > 1<<32-2 || spec.GID > 1<<32-2 {
		return fmt.Errorf("shared volume %s: owner %d:%d is not a valid host uid:gid", spec.HostPath, spec.UID, spec.GID)
	}
	if spec.HasMode && spec.Mode&^(os.ModePerm|os.ModeSetuid|os.ModeSetgid|os.ModeSticky) != 0 {
		return fmt.Errorf("shared volume %s: mode %v has bits other than permissions, setuid, setgid and sticky", spec.HostPath, spec.Mode)
	}
	return nil
}
