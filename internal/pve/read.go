package pve

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/pct"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
)

// readGivenMap reads the lxc.idmap lines of the generated LXC config
// (`lxc.idmap = u 0 100000 65536`). found is false when the file does not
// exist: no proof yet.
func readGivenMap(path string) (lines []string, found bool, err error) {
	data, err := pct.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	for _, l := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			k, v, ok = strings.Cut(l, ":")
		}
		if ok && strings.TrimSpace(k) == "lxc.idmap" {
			lines = append(lines, strings.TrimSpace(v))
		}
	}
	return lines, true, nil
}

// givenMap is the map LXC was given, read from the generated config, and
// whether the file exists: nil when the file is missing (no proof); identity when it has no lxc.idmap
// lines and the container is privileged; nil when an unprivileged
// container's file has none (Proxmox writes the default lines there, so
// the file is not a proof).
func givenMap(path string, privileged bool) (idmap.Set, bool, error) {
	lines, found, err := readGivenMap(path)
	if err != nil || !found {
		return nil, found, err
	}
	if len(lines) == 0 {
		if privileged {
			return idmap.Identity(), true, nil
		}
		return nil, true, nil
	}
	s, err := idmap.Parse(lines)
	if err != nil {
		return nil, true, fmt.Errorf("%s: %w", path, err)
	}
	return s, true, nil
}

// runningMap reads a running container's init pid from its cgroup and the
// uid_map and gid_map of that pid. It returns pid 0 and a nil map when the
// container's processes cannot be found.
func runningMap(p pct.Paths, ctid int) (int, idmap.Set, error) {
	data, err := pct.ReadFile(p.CgroupProcs(ctid))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	first, _, _ := strings.Cut(strings.TrimSpace(string(data)), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		return 0, nil, nil
	}
	var set idmap.Set
	for _, k := range []idmap.Kind{idmap.UID, idmap.GID} {
		file := map[idmap.Kind]string{idmap.UID: "uid_map", idmap.GID: "gid_map"}[k]
		b, err := pct.ReadFile(p.ProcMap(pid, file))
		if errors.Is(err, os.ErrNotExist) {
			return pid, nil, nil
		}
		if err != nil {
			return pid, nil, err
		}
		s, err := idmap.ParseProc(k, string(b))
		if err != nil {
			return pid, nil, fmt.Errorf("%s: %w", p.ProcMap(pid, file), err)
		}
		set = append(set, s...)
	}
	return pid, set, nil
}

// confMap is the map pct gives LXC for cfg (§4.1): the raw lxc.idmap lines
// when there are any, else the default for an unprivileged container, else
// identity. It is what the generated config will hold after the next set.
func confMap(cfg *conf.Config) idmap.Set {
	if lines := cfg.Main.RawValues("lxc.idmap"); len(lines) > 0 {
		if s, err := idmap.Parse(lines); err == nil {
			return s
		}
		return nil
	}
	if v, _ := cfg.Main.Get("unprivileged"); v == "1" {
		return idmap.Default()
	}
	return idmap.Identity()
}

// activeContainers tells which of ctids run, the way pve-container's
// LXC.pm::list_active_containers decides it: a container runs while its
// monitor listens on the abstract unix socket @/var/lib/lxc/<CTID>/command,
// which the kernel lists in /proc/net/unix (8 fields, the path last). A
// missing file means nothing runs, as for pct. Only the lines that end in
// one of ctids' socket names are read field by field: the file lists every
// socket of the node, and a fleet observes its containers one at a time.
func activeContainers(path string, ctids []int) (map[int]bool, error) {
	data, err := pct.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[int]bool{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := map[int]bool{}
	for _, id := range ctids {
		name := []byte(" @/var/lib/lxc/" + strconv.Itoa(id) + "/command")
		for rest := data; ; {
			i := bytes.Index(rest, name)
			if i < 0 {
				break
			}
			end := i + len(name)
			line := rest[bytes.LastIndexByte(rest[:i], '\n')+1 : end]
			if (end == len(rest) || rest[end] == '\n') && monitorOf(string(line)) == id {
				out[id] = true
				break
			}
			rest = rest[end:]
		}
	}
	return out, nil
}

// monitorOf is the CTID whose monitor socket a /proc/net/unix line lists,
// 0 for any other line.
func monitorOf(l string) int {
	f := strings.Fields(l)
	if len(f) != 8 || !strings.HasSuffix(f[0], ":") {
		return 0
	}
	rest, ok := strings.CutPrefix(f[7], "@/var/lib/lxc/")
	if !ok {
		return 0
	}
	idText, ok := strings.CutSuffix(rest, "/command")
	if n, err := strconv.Atoi(idText); ok && err == nil && n > 0 && strconv.Itoa(n) == idText {
		return n
	}
	return 0
}
