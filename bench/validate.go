package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// validateRows: phoenix_lxc validate of generated config files of 100 and
// 1,000 containers (no backend calls): time and the 1,000/100 ratio, which
// shows whether the cost is linear.
func validateRows(b *bench, t *table) {
	dir := filepath.Join(b.work, "validate")
	must("validate folder", os.MkdirAll(dir, 0o755))
	times := map[int]float64{}
	for _, n := range []int{100, 1000} {
		cfg := writeFleet(filepath.Join(dir, fmt.Sprintf("fleet%d.json", n)), n, nil)
		sec, err := median(b.reps, func() error { _, err := command(nil, b.module, "validate", cfg); return err })
		must(fmt.Sprintf("validate %d containers", n), err)
		times[n] = sec
	}
	t.add(row{
		what:   "6. `phoenix_lxc validate` of 1,000 containers / of 100",
		ours:   ms(times[1000]),
		theirs: ms(times[100]),
		ratio:  ratio(times[1000], times[100]),
		goal:   "< 1 s, ratio ≤ 10 (linear)", met: yes(times[1000] < 1 && times[1000]/times[100] <= 10.5),
	})
}
