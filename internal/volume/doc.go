// Package volume prepares the host side of a shared volume: a host
// directory that is bind-mounted into a container.
//
// Observe reports what Apply would change without changing anything (check
// mode); Apply creates the directory when it is missing and sets the mode of
// the top directory. The top directory's owner decides the rest: when it
// already is the container's owner (mapped to host ids), the volume is the
// container's and its contents are left alone (files the container's own
// users made keep their owners); when it is not (a new volume, or one adopted
// from another owner such as the old script's 100000), every entry whose
// owner differs is handed over. A converged volume costs one stat and no
// writes, whatever its size.
//
// The package never follows a symbolic link:
//   - the volume path is opened one component at a time from "/" with
//     O_NOFOLLOW, so a volume path that is a symlink, or that has a symlink in
//     any component, is refused with an error naming the component;
//   - below the top directory every call is relative to an open directory
//     descriptor (openat, fstatat, fchownat), never a path string, so renaming
//     or swapping a directory for a symlink while the walk runs cannot lead it
//     outside the volume;
//   - a symlink inside the volume is not followed: the link itself is given to
//     the owner (lchown semantics), its target is never touched.
//
// Some entries are deliberately left alone and reported (Stats.Skipped and
// Notes) instead of chowned, because handing them to the container could give
// it a host file: non-directories with more than one hard link (the other name
// may live outside the volume), device nodes, and directories on another
// filesystem or a bind mount inside the volume (the walk does not cross mounts).
//
// Path strings appear only in messages and in the descriptive commands of a
// Plan; they are never used for a system call below the top directory.
package volume
