package pipeline

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// checkHostScripts refuses, before anything changes (check mode too), a
// host script this run would run as root (a feature script) or push into
// the container (the application script) that someone other than root
// could have written or swapped.
func checkHostScripts(x *converger) error {
	for i, f := range x.spec.Features {
		if err := checkHostScript(FeatureScript(x.req.FeatureScriptDir, f)); err != nil {
			return fmt.Errorf("features[%d] %q: %v (set feature_script_dir)", i, f, err)
		}
	}
	if name := x.spec.ApplicationScript; name != "" {
		if err := checkHostScript(filepath.Join(x.req.ApplicationScriptDir, name)); err != nil {
			return fmt.Errorf("application_script %q: %v (set application_script_dir)", name, err)
		}
	}
	return nil
}

// checkHostScript requires p and every folder up to / to be root's, with no
// symlink on the way (sshd's StrictModes, stricter): the script a regular
// file on a real filesystem (not /proc or /sys), it and its own folder
// writable by root alone. A folder further up may be writable by all only
// when it is sticky, as /tmp: there nobody but root can rename or remove
// root's entries, so the root-owned folder below stays the one checked.
// The script's own folder may not be sticky: anyone could add a file
// there, a hard link to some root-owned file included.
func checkHostScript(p string) error {
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	cur := "/"
	for i := 0; i <= len(parts); i++ {
		if i > 0 {
			cur = filepath.Join(cur, parts[i-1])
		}
		fi, err := os.Lstat(cur)
		if err != nil {
			return fmt.Errorf("cannot read its host script: %v", err)
		}
		uid := fi.Sys().(*syscall.Stat_t).Uid
		mode := fi.Mode()
		script, own := i == len(parts), i == len(parts)-1
		what := "host script " + p + ": its folder " + cur
		if script {
			what = "host script " + p
		}
		switch {
		case mode&fs.ModeSymlink != 0:
			return fmt.Errorf("%s is a symlink; give the real path (symlinks are not followed)", what)
		case script && !mode.IsRegular():
			return fmt.Errorf("%s is not a regular file (%s)", what, mode.Type())
		case uid != 0:
			return fmt.Errorf("%s belongs to uid %d, not root: that user could change what runs as root (chown root %s)", what, uid, cur)
		case mode.Perm()&0o022 != 0 && (script || own || mode&fs.ModeSticky == 0):
			return fmt.Errorf("%s is writable by group or others (mode %s): they could change what runs as root (chmod go-w %s)", what, octal(mode), cur)
		}
	}
	var st unix.Statfs_t
	if err := unix.Statfs(p, &st); err != nil {
		return fmt.Errorf("host script %s: %v", p, err)
	}
	if name := pseudoFS[int64(st.Type)]; name != "" {
		return fmt.Errorf("host script %s is on the %s pseudo-filesystem, not a file on disk", p, name)
	}
	return nil
}

// octal is mode as chmod takes it: 0755, 1777 for a sticky folder.
func octal(mode fs.FileMode) string {
	n := uint32(mode.Perm())
	if mode&fs.ModeSticky != 0 {
		n |= 0o1000
	}
	return fmt.Sprintf("%04o", n)
}

// pseudoFS are the kernel's filesystems, by statfs magic: their files
// (a process's environ, a kernel setting) are not scripts.
var pseudoFS = map[int64]string{
	unix.PROC_SUPER_MAGIC: "proc", unix.SYSFS_MAGIC: "sysfs", unix.DEBUGFS_MAGIC: "debugfs",
	unix.TRACEFS_MAGIC: "tracefs", unix.SECURITYFS_MAGIC: "securityfs", unix.CGROUP_SUPER_MAGIC: "cgroup",
	unix.CGROUP2_SUPER_MAGIC: "cgroup2", unix.BPF_FS_MAGIC: "bpf",
	unix.EFIVARFS_MAGIC: "efivarfs", unix.PSTOREFS_MAGIC: "pstore", unix.DEVPTS_SUPER_MAGIC: "devpts",
}
