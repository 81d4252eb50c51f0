package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// fleetRows: converged fleets of 1, 10, 100 (and 1,000) containers on the
// pct emulator. phoenix_lxc's pct calls and wall time against the
// unavoidable reads (one bare pct list and reading every conf file), and
// the old bash orchestrator's approach (pct status and pct config per
// container) measured the same way.
func fleetRows(b *bench, t *table) {
	sizes := []int{1, 10, 100, 1000}
	if b.short {
		sizes = []int{1, 10, 100}
	}
	for _, n := range sizes {
		h := newEmuHost(b, fmt.Sprintf("fleet%d", n))
		cfg := writeFleet(filepath.Join(h.dir, "fleet.json"), n, nil)
		args := map[string]any{"config_file": cfg}
		_, err := h.module(b, args)
		must(fmt.Sprintf("first converge of %d containers", n), err)
		h.pctCalls()

		reps := b.reps
		if n >= 1000 {
			reps = 3
		}
		var calls, changing int
		ours, err := median(reps, func() error {
			res, err := h.module(b, args)
			if err == nil && res.Changed {
				err = fmt.Errorf("a converged rerun of %d containers reported changed", n)
			}
			calls, changing = h.pctCalls()
			return err
		})
		must("converged rerun", err)
		confs := h.confs()
		if len(confs) != n {
			must("baseline", fmt.Errorf("%d conf files for %d containers", len(confs), n))
		}
		base, err := median(reps, func() error {
			if _, err := command(h.env, b.pct, "list"); err != nil {
				return err
			}
			for _, c := range confs {
				if _, err := os.ReadFile(c); err != nil {
					return err
				}
			}
			return nil
		})
		must("baseline: pct list and the conf files", err)
		h.pctCalls()

		goal, met := "≤ 1 pct call, 0 changing", yes(calls <= 1 && changing == 0)
		if n == 100 {
			goal = "≤ 1 pct call, 0 changing, ratio ≤ 1.25"
			met = yes(calls <= 1 && changing == 0 && ours/base <= 1.25)
		}
		t.add(row{
			what:   fmt.Sprintf("1. converged fleet of %d: phoenix_lxc / (bare `pct list` + reading %d confs)", n, n),
			ours:   fmt.Sprintf("%d pct call(s), %d changing, %s", calls, changing, ms(ours)),
			theirs: fmt.Sprintf("1 pct call, %s", ms(base)),
			ratio:  ratio(ours, base), goal: goal, met: met,
		})

		bash, bcalls, bchanging := oldBash(b, h, cfg, n, false)
		t.add(row{
			what:   fmt.Sprintf("1. converged fleet of %d: old bash approach (pct status + pct config per container) / phoenix_lxc", n),
			ours:   fmt.Sprintf("%d pct call(s), %s", calls, ms(ours)),
			theirs: fmt.Sprintf("%d pct calls, %d changing, %s", bcalls, bchanging, ms(bash)),
			ratio:  ratio(bash, ours), goal: "", met: "-",
		})
	}
}

// oldBash runs bench/oldbash.sh (the old orchestrator's pct calls) on the
// node's n containers and returns its median time and its pct calls. With
// apply, it also sets every option with one pct set each.
func oldBash(b *bench, h *emuHost, cfg string, n int, apply bool) (sec float64, calls, changing int) {
	var lines []string
	for i := 0; i < n; i++ {
		s := spec(i)
		lines = append(lines, fmt.Sprintf("%d\t%v\t%v\t%v\tname=eth0,bridge=vmbr0,hwaddr=%v,ip=dhcp",
			1000+i, s["memory_mb"], s["cores"], s["name"], s["mac_address"]))
	}
	list := filepath.Join(h.dir, "oldbash.tsv")
	must("old bash input", os.WriteFile(list, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	argv := []string{"bash", "bench/oldbash.sh", list}
	if apply {
		argv = append(argv, "apply")
	}
	env := append([]string{"PCT=" + b.pct}, h.env...)
	reps := b.reps
	if n >= 1000 {
		reps = 1 // 2,000 pct calls a run
	}
	sec, err := median(reps, func() error {
		_, err := command(env, argv...)
		calls, changing = h.pctCalls()
		return err
	})
	must("old bash approach", err)
	return sec, calls, changing
}
