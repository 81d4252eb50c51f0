package main

import (
	"fmt"
	"path/filepath"
	"strings"
)

// freshRows: a fresh converge of 10 containers on the pct emulator. The
// state-changing pct calls per container, step by step, from the module's
// actions list, checked against the emulator's own log; and the old bash
// approach's calls for the same fleet (one pct set per option).
func freshRows(b *bench, t *table) {
	const n = 10
	h := newEmuHost(b, "fresh")
	cfg := writeFleet(filepath.Join(h.dir, "fleet.json"), n, nil)
	res, err := h.module(b, map[string]any{"config_file": cfg})
	must("fresh converge", err)
	_, logged := h.pctCalls()

	perStep := map[string]int{}
	var order []string
	total := 0
	for _, c := range res.Containers {
		for _, a := range c.Actions {
			f := strings.Fields(a.Command)
			if !a.Done || len(f) < 2 || filepath.Base(f[0]) != "pct" {
				continue
			}
			key := a.Step + " (" + f[1] + ")"
			if _, ok := perStep[key]; !ok {
				order = append(order, key)
			}
			perStep[key]++
			total++
		}
	}
	var parts []string
	for _, k := range order {
		parts = append(parts, fmt.Sprintf("%s %.1f", k, float64(perStep[k])/n))
	}
	_, bcalls, bchanging := oldBash(b, h, cfg, n, true)
	t.add(row{
		what: fmt.Sprintf("2. fresh converge of %d: state-changing pct calls per container, by step (step (subcommand) calls)", n),
		ours: fmt.Sprintf("%.1f per container: %s (emulator log: %d in all)", float64(total)/n, strings.Join(parts, ", "), logged),
		theirs: fmt.Sprintf("old bash: %.1f pct set per container on every run (%d calls, %d changing, for %d)",
			float64(bchanging)/n, bcalls, bchanging, n),
		ratio: fmt.Sprintf("pct set: %d vs %d", perStep["configure (set)"], bchanging),
		goal:  "≤ 1 batched pct set, nothing already there",
		met:   yes(perStep["configure (set)"] <= n && total == logged),
	})
}
