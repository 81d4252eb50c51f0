package main

import (
	"fmt"
	"os"
)

// binaryRows: the module binary's size and the time of phoenix_lxc
// version (the floor of any run: process start) against /bin/true.
func binaryRows(b *bench, t *table) {
	fi, err := os.Stat(b.module)
	must("module binary", err)
	reps := 21
	ver, err := median(reps, func() error { _, err := command(nil, b.module, "version"); return err })
	must("phoenix_lxc version", err)
	tru, err := median(reps, func() error { _, err := command(nil, "/bin/true"); return err })
	must("/bin/true", err)
	t.add(row{
		what:   "4. binary size; `phoenix_lxc version` / `/bin/true` (process start)",
		ours:   fmt.Sprintf("%.1f MiB; %s", float64(fi.Size())/(1<<20), ms(ver)),
		theirs: ms(tru),
		ratio:  ratio(ver, tru),
		goal:   "≤ 10 MiB", met: yes(fi.Size() <= 10<<20),
	})
}
