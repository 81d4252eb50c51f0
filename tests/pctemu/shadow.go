package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// chpasswd is chpasswd(8): "user:password" lines on stdin. Without -e the
// password is clear text and is stored hashed (setShadow); with -e
// (--encrypted) it is already a crypt(3) hash and goes into the user's
// shadow entry as is: shadow-utils and busybox check nothing either.
func (e *env) chpasswd(root string, encrypted bool) error {
	sc := bufio.NewScanner(e.stdin)
	for n := 1; sc.Scan(); n++ {
		user, pass, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			fmt.Fprintf(e.stderr, "chpasswd: line %d: missing new password\n", n)
			return &exitError{1}
		}
		set := setShadow
		if encrypted {
			set = setShadowField
		}
		if err := set(root, user, pass); err != nil {
			fmt.Fprintf(e.stderr, "chpasswd: %v\n", err)
			return &exitError{1}
		}
	}
	return nil
}

// setShadowField makes field the password field of user's entry in the
// rootfs's etc/shadow, keeping the entry's other fields and every other
// entry; a user without one gets "user:field:19000:0:99999:7:::".
func setShadowField(root, user, field string) error {
	etc, err := ctPath(root, "/etc")
	if err != nil {
		return err
	}
	file := filepath.Join(etc, "shadow")
	old, err := os.ReadFile(file)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	var out []string
	found := false
	for _, l := range strings.Split(strings.TrimRight(string(old), "\n"), "\n") {
		f := strings.Split(l, ":")
		if f[0] == user && len(f) > 1 && !found {
			f[1], found = field, true
			l = strings.Join(f, ":")
		}
		if l != "" {
			out = append(out, l)
		}
	}
	if !found {
		out = append(out, user+":"+field+":19000:0:99999:7:::")
	}
	return writeAtomic(file, []byte(strings.Join(out, "\n")+"\n"), 0o640)
}
