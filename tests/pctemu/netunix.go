package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// netUnixHeader is the first line of the kernel's /proc/net/unix
// (net/unix/af_unix.c, unix_seq_show).
const netUnixHeader = "Num       RefCount Protocol Flags    Type St Inode Path\n"

// writeNetUnix rewrites <root>/proc/net/unix in the kernel's format: one
// listening stream socket per running CT, the abstract
// "@/var/lib/lxc/<id>/command" that lxc-start's monitor holds and that
// pve-container's LXC.pm::list_active_containers looks for, plus a socket
// of the host's own so readers must pick the lines out. Concurrent pct
// invocations take one flock around the rewrite.
func (e *env) writeNetUnix() error {
	path := e.path("proc/net/unix")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	lk, err := os.OpenFile(e.path("run/pctemu/net-unix.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer lk.Close()
	if err := syscall.Flock(int(lk.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	ents, _ := os.ReadDir(e.path("run/pctemu"))
	var ids []int
	for _, d := range ents {
		if s, ok := strings.CutSuffix(d.Name(), ".pid"); ok {
			if n, err := strconv.Atoi(s); err == nil {
				ids = append(ids, n)
			}
		}
	}
	sort.Ints(ids)
	var b strings.Builder
	b.WriteString(netUnixHeader)
	b.WriteString(netUnixLine(2, 1, 14950, "/run/systemd/journal/stdout"))
	for _, id := range ids {
		b.WriteString(netUnixLine(2, 1, 200000+id, fmt.Sprintf("@/var/lib/lxc/%d/command", id)))
	}
	return writeAtomic(path, []byte(b.String()), 0o444)
}

// netUnixLine is one socket as the kernel prints it: %pK (zeros when
// kptr_restrict hides it), refcount, protocol, flags (__SO_ACCEPTCON for a
// listener), type (SOCK_STREAM), state (SS_UNCONNECTED), inode, path.
func netUnixLine(ref, state, inode int, path string) string {
	return fmt.Sprintf("%016x: %08X %08X %08X %04X %02X %5d %s\n", 0, ref, 0, 1<<16, 1, state, inode, path)
}
