package volume

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// verdict says whether st needs its owner changed, or why it must be left
// alone even though its owner differs.
func (w *walker) verdict(st *unix.Stat_t) (chown bool, leaveAlone string) {
	if int(st.Uid) == w.uid && int(st.Gid) == w.gid {
		return false, ""
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFCHR, unix.S_IFBLK:
		return false, "device node, not handed to the container; remove it or chown it by hand"
	case unix.S_IFDIR:
		return true, ""
	}
	if uint64(st.Nlink) > 1 {
		return false, fmt.Sprintf("has %d hard links (another name may be outside the volume), not chowned; chown it by hand if intended", st.Nlink)
	}
	return true, ""
}

// leaf owns a non-directory entry (file, symlink, fifo, socket) when its
// owner differs. A symlink's own owner is changed, never its target's: the
// entry is opened with O_PATH|O_NOFOLLOW, re-checked on that handle, and
// chowned through the handle, so a swap after the stat changes nothing else.
func (w *walker) leaf(parent int, name, path string, st *unix.Stat_t) error {
	chown, why := w.verdict(st)
	if why != "" {
		w.skip(path, why)
		return nil
	}
	if !chown {
		return nil
	}
	if !w.apply {
		w.Chowns++
		return nil
	}
	fd, err := unix.Openat(parent, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err == unix.ENOENT {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer unix.Close(fd)
	if err := unix.Fstat(fd, st); err != nil {
		return fmt.Errorf("stat %s: %w", path, err)
	}
	if chown, why = w.verdict(st); why != "" {
		w.skip(path, why)
		return nil
	} else if !chown {
		return nil
	}
	if err := unix.Fchownat(fd, "", w.uid, w.gid, unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("chown %d:%d %s: %w", w.uid, w.gid, path, err)
	}
	w.Chowns++
	return nil
}

// mountRoot reports whether the open directory fd is the root of a mount,
// which catches a bind mount from the same filesystem (same device number).
// Kernels without STATX_ATTR_MOUNT_ROOT (before 5.8) report false.
func mountRoot(fd int) bool {
	var sx unix.Statx_t
	if unix.Statx(fd, "", unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW, 0, &sx) != nil {
		return false
	}
	return sx.Attributes_mask&unix.STATX_ATTR_MOUNT_ROOT != 0 && sx.Attributes&unix.STATX_ATTR_MOUNT_ROOT != 0
}
