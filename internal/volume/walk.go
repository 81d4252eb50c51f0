package volume

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// maxNotes caps how many skipped entries are named in Notes.
const maxNotes = 10

// Stats counts what a walk looked at and changed (or, for Observe, would
// change).
type Stats struct {
	Mkdirs  int      // directories made (the volume and its missing parents)
	Chowns  int      // entries whose owner was changed
	Chmods  int      // 1 when the top directory's mode was changed
	Visited int      // entries looked at, the top directory included
	Skipped int      // entries left alone for safety (see the package doc)
	Notes   []string // the first skipped entries, "path: reason"
}

// testHookBeforeOpen, when set by a test, runs just before a subdirectory is
// opened, so a test can swap the directory for a symlink at the worst moment.
var testHookBeforeOpen func(path string)

// walker applies (or counts) one volume's owner below an open directory.
type walker struct {
	uid, gid int
	apply    bool   // false: count only, change nothing
	dev      uint64 // the top directory's device; the walk does not cross mounts
	buf      []byte // getdents buffer, reused (names are read before recursing)
	Stats
}

// skip records an entry left alone.
func (w *walker) skip(path, why string) {
	w.Skipped++
	if len(w.Notes) < maxNotes {
		w.Notes = append(w.Notes, path+": "+why)
	}
}

// top handles the open top directory: its owner, then everything below it.
func (w *walker) top(fd int, path string, spec Spec) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("stat %s: %w", path, err)
	}
	w.dev = st.Dev
	w.Visited++
	// The top directory's owner says whether the volume is already ours:
	// when it is, what lies inside belongs to the container (its users may
	// own files of their own) and is left alone. When it is not (a new
	// volume, or one adopted from another owner), every entry is given over
	// first, and the top last: its owner is the mark that the hand-over is
	// complete, so a run killed or failing half-way is finished by the next.
	adopt := int(st.Uid) != w.uid || int(st.Gid) != w.gid
	switch {
	case adopt && spec.KeepOwners:
		// An idmapped volume keeps its host owner: nothing is handed over.
		return fmt.Errorf("idmapped: the folder is owned by host %d:%d, not %d:%d (host_owner); an idmapped volume keeps its host owner and nothing in it is chowned: chown the folder yourself, or set host_owner to its owner", st.Uid, st.Gid, w.uid, w.gid)
	case adopt && !spec.KeepOwners:
		if err := w.dir(fd, path); err != nil {
			return err
		}
	}
	if err := w.own(fd, path, &st); err != nil {
		return err
	}
	if want := unixMode(spec.Mode); spec.HasMode && st.Mode&0o7777 != want {
		if w.apply {
			if err := unix.Fchmod(fd, want); err != nil {
				return fmt.Errorf("chmod %04o %s: %w", want, path, err)
			}
		}
		w.Chmods++
	}
	return nil
}

// own gives the open directory fd to the owner when its owner differs.
func (w *walker) own(fd int, path string, st *unix.Stat_t) error {
	if int(st.Uid) == w.uid && int(st.Gid) == w.gid {
		return nil
	}
	if w.apply {
		if err := unix.Fchown(fd, w.uid, w.gid); err != nil {
			return fmt.Errorf("chown %d:%d %s: %w", w.uid, w.gid, path, err)
		}
	}
	w.Chowns++
	return nil
}

// dir handles every entry of the open directory fd.
func (w *walker) dir(fd int, path string) error {
	names, err := w.names(fd)
	if err != nil {
		return fmt.Errorf("read directory %s: %w", path, err)
	}
	for _, name := range names {
		if err := w.entry(fd, name, path+"/"+name); err != nil {
			return err
		}
	}
	return nil
}

// names reads all names of the open directory fd ("." and ".." excluded).
func (w *walker) names(fd int) ([]string, error) {
	if w.buf == nil {
		w.buf = make([]byte, 64<<10)
	}
	var names []string
	for {
		n, err := unix.Getdents(fd, w.buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			return names, nil
		}
		_, _, names = unix.ParseDirent(w.buf[:n], -1, names)
	}
}

// entry handles one entry of the open directory parent, by name only.
func (w *walker) entry(parent int, name, path string) error {
	var st unix.Stat_t
	if err := unix.Fstatat(parent, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		if err == unix.ENOENT {
			return nil // removed while walking: nothing to own
		}
		return fmt.Errorf("stat %s: %w", path, err)
	}
	w.Visited++
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return w.subdir(parent, name, path, &st)
	}
	return w.leaf(parent, name, path, &st)
}

// subdir opens a directory entry without following a symlink, owns it and
// walks it. If it was swapped for something else since it was looked at, what
// is there now is handled as a non-directory, never followed.
func (w *walker) subdir(parent int, name, path string, st *unix.Stat_t) error {
	if st.Dev != w.dev {
		w.skip(path, "another filesystem is mounted here; the walk does not cross mounts")
		return nil
	}
	if testHookBeforeOpen != nil {
		testHookBeforeOpen(path)
	}
	fd, err := unix.Openat(parent, name, dirFlags, 0)
	switch {
	case err == unix.ENOENT:
		return nil
	case err == unix.ELOOP || err == unix.ENOTDIR:
		if err := unix.Fstatat(parent, name, st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			if err == unix.ENOENT {
				return nil
			}
			return fmt.Errorf("stat %s: %w", path, err)
		}
		if st.Mode&unix.S_IFMT == unix.S_IFDIR {
			return fmt.Errorf("%s changed while being walked; run again", path)
		}
		return w.leaf(parent, name, path, st)
	case err != nil:
		return fmt.Errorf("open directory %s: %w", path, err)
	}
	defer unix.Close(fd)
	if err := unix.Fstat(fd, st); err != nil {
		return fmt.Errorf("stat %s: %w", path, err)
	}
	if st.Dev != w.dev || mountRoot(fd) {
		w.skip(path, "another filesystem is mounted here; the walk does not cross mounts")
		return nil
	}
	if err := w.own(fd, path, st); err != nil {
		return err
	}
	return w.dir(fd, path)
}
