package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// volumeRows: one container with a shared volume of 100,000 root-owned
// files (10,000 when short) on the pct emulator. First converge and
// converged rerun, each against the same container without the volume,
// and the chown/chmod system calls of the rerun, counted with strace.
func volumeRows(b *bench, t *table) {
	dirs := 100
	if b.short {
		dirs = 10
	}
	files := dirs * 1000
	h := newEmuHost(b, "volume")
	// Beside the node's folder, not in it: that folder holds the scripts,
	// and a volume may never contain a folder root runs scripts from.
	vol := filepath.Join(b.work, "volume-data")
	for d := 0; d < dirs; d++ {
		dir := filepath.Join(vol, fmt.Sprintf("d%03d", d))
		must("volume files", os.MkdirAll(dir, 0o755))
		for f := 0; f < 1000; f++ {
			must("volume files", os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%04d", f)), nil, 0o644))
		}
	}
	withVol := writeFleet(filepath.Join(h.dir, "fleet.json"), 1, func(_ int, s map[string]any) {
		s["unprivileged"] = true
		s["shared_volumes"] = []map[string]any{{"host_path": vol, "mount_path": "/data", "owner": "1000:1000", "mode": "0750"}}
	})
	plain := newEmuHost(b, "novolume")
	noVol := writeFleet(filepath.Join(plain.dir, "fleet.json"), 1, func(_ int, s map[string]any) { s["unprivileged"] = true })

	first := timeOnce(func() error { _, err := h.module(b, map[string]any{"config_file": withVol}); return err })
	firstPlain := timeOnce(func() error { _, err := plain.module(b, map[string]any{"config_file": noVol}); return err })
	t.add(row{
		what:   fmt.Sprintf("5. shared volume of %d files: first converge / the same container without it", files),
		ours:   ms(first),
		theirs: ms(firstPlain),
		ratio:  ratio(first, firstPlain), goal: "", met: "-",
	})

	rerun := func(hh *emuHost, cfg string) func() error {
		return func() error {
			res, err := hh.module(b, map[string]any{"config_file": cfg})
			if err == nil && res.Changed {
				err = fmt.Errorf("converged rerun reported changed")
			}
			return err
		}
	}
	again, err := median(b.reps, rerun(h, withVol))
	must("volume rerun", err)
	againPlain, err := median(b.reps, rerun(plain, noVol))
	must("rerun without volume", err)
	chowns, how := countChown(b, h, withVol)
	t.add(row{
		what:   fmt.Sprintf("5. shared volume of %d files: converged rerun / the same container without it", files),
		ours:   fmt.Sprintf("%s, %s chown/chmod calls", ms(again), chowns),
		theirs: ms(againPlain) + " (" + how + ")",
		ratio:  ratio(again, againPlain),
		goal:   "0 chown/chmod, < 1 s", met: yes(chowns == "0" && again < 1),
	})
}

// timeOnce times one run of f, stopping the bench if it fails.
func timeOnce(f func() error) float64 {
	start := time.Now()
	must("timed run", f())
	return time.Since(start).Seconds()
}

var chownCall = regexp.MustCompile(`\b(l|f)?ch(own|mod)(at|32)?\(`)

// countChown runs the module once under strace -f and counts the chown and
// chmod system calls of it and its children.
func countChown(b *bench, h *emuHost, cfg string) (count, how string) {
	if _, err := exec.LookPath("strace"); err != nil {
		return "n/a", "strace not installed"
	}
	trace := filepath.Join(h.dir, "strace.out")
	orig := b.module
	wrapper := filepath.Join(h.dir, "traced.sh")
	must("strace wrapper", os.WriteFile(wrapper, []byte(fmt.Sprintf("#!/bin/sh\nexec strace -f -qq -o %s -e trace=chown,fchown,lchown,fchownat,chmod,fchmod,fchmodat %s \"$@\"\n", trace, orig)), 0o755))
	b.module = wrapper
	_, err := h.module(b, map[string]any{"config_file": cfg})
	b.module = orig
	must("traced rerun", err)
	data, err := os.ReadFile(trace)
	must("strace output", err)
	n := 0
	for _, l := range strings.Split(string(data), "\n") {
		if chownCall.MatchString(l) {
			n++
		}
	}
	return fmt.Sprint(n), "chown/chmod counted by strace -f"
}
