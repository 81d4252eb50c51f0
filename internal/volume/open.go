package volume

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// dirFlags opens a directory for reading and never through a symlink.
const dirFlags = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC

// openTop opens the volume directory one path component at a time from "/",
// each with O_NOFOLLOW, so no symlink anywhere in the path is followed.
//
// When a component is missing and create is false, it returns fd -1 and, in
// missing, every directory that would have to be made (outermost first).
// When create is true it makes them (owned root:root, mode 0755; the caller
// then gives the last one its owner and mode) and returns them in made.
func openTop(hostPath string, create bool) (fd int, made []string, err error) {
	fd, err = unix.Open("/", dirFlags, 0)
	if err != nil {
		return -1, nil, fmt.Errorf("shared volume %s: open /: %w", hostPath, err)
	}
	parts := strings.Split(strings.TrimPrefix(hostPath, "/"), "/")
	for i, name := range parts {
		prefix := "/" + strings.Join(parts[:i+1], "/")
		next, err := openChild(fd, name, prefix, hostPath, create)
		if errors.Is(err, unix.ENOENT) && !create {
			unix.Close(fd)
			for j := i; j < len(parts); j++ {
				made = append(made, "/"+strings.Join(parts[:j+1], "/"))
			}
			return -1, made, nil
		}
		if err != nil {
			unix.Close(fd)
			return -1, made, err
		}
		unix.Close(fd)
		fd = next.fd
		if next.created {
			made = append(made, prefix)
		}
	}
	return fd, made, nil
}

type child struct {
	fd      int
	created bool
}

// openChild opens directory name under parent, making it when missing and
// create is set. A symlink or a non-directory is refused with a clear error.
func openChild(parent int, name, prefix, hostPath string, create bool) (child, error) {
	for attempt := 0; attempt < 3; attempt++ {
		fd, err := unix.Openat(parent, name, dirFlags, 0)
		if err == nil {
			return child{fd: fd}, nil
		}
		if err != unix.ENOENT {
			return child{}, refuse(parent, name, prefix, hostPath, err)
		}
		if !create {
			return child{}, unix.ENOENT
		}
		err = unix.Mkdirat(parent, name, 0o755)
		if err == unix.EEXIST {
			continue // made by someone else meanwhile: open what is there now
		}
		if err != nil {
			return child{}, fmt.Errorf("shared volume %s: mkdir %s: %w", hostPath, prefix, err)
		}
		fd, err = unix.Openat(parent, name, dirFlags, 0)
		if err != nil {
			return child{}, refuse(parent, name, prefix, hostPath, err)
		}
		// Whatever umask or a setgid parent gave it: root:root 0755.
		if err := unix.Fchown(fd, 0, 0); err != nil {
			unix.Close(fd)
			return child{}, fmt.Errorf("shared volume %s: chown 0:0 %s: %w", hostPath, prefix, err)
		}
		if err := unix.Fchmod(fd, 0o755); err != nil {
			unix.Close(fd)
			return child{}, fmt.Errorf("shared volume %s: chmod 0755 %s: %w", hostPath, prefix, err)
		}
		return child{fd: fd, created: true}, nil
	}
	return child{}, fmt.Errorf("shared volume %s: %s keeps appearing and disappearing; run again", hostPath, prefix)
}

// refuse explains why name under parent could not be opened as a directory.
func refuse(parent int, name, prefix, hostPath string, err error) error {
	var st unix.Stat_t
	if serr := unix.Fstatat(parent, name, &st, unix.AT_SYMLINK_NOFOLLOW); serr == nil {
		switch {
		case st.Mode&unix.S_IFMT == unix.S_IFLNK:
			target := readlink(parent, name)
			if prefix == hostPath {
				return fmt.Errorf("shared volume %s is a symlink (to %q); symlinked volume paths are refused: give the real directory", hostPath, target)
			}
			return fmt.Errorf("shared volume %s: path component %s is a symlink (to %q); symlinked volume paths are refused: give the real directory path", hostPath, prefix, target)
		case st.Mode&unix.S_IFMT != unix.S_IFDIR:
			return fmt.Errorf("shared volume %s: %s exists and is not a directory; move it away or choose another host_path", hostPath, prefix)
		}
	}
	return fmt.Errorf("shared volume %s: open %s: %w", hostPath, prefix, err)
}

// readlink reads a symlink's target for a message; "?" when unreadable.
func readlink(parent int, name string) string {
	buf := make([]byte, 4096)
	n, err := unix.Readlinkat(parent, name, buf)
	if err != nil {
		return "?"
	}
	return string(buf[:n])
}
