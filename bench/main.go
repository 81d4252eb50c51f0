package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/testkit"
)

// bench holds what every measurement shares: the built binaries, a scratch
// folder, and the sizes of this run (full or short).
type bench struct {
	module string // the phoenix_lxc binary under test
	pct    string // the pct emulator
	work   string // scratch folder, removed at the end
	short  bool
	reps   int // repetitions per timed figure (the median is reported)
}

func main() {
	short := flag.Bool("short", false, "smaller sizes, for CI")
	module := flag.String("module", "plugins/modules/phoenix_lxc", "the phoenix_lxc binary to measure (make build)")
	keep := flag.Bool("keep", false, "keep the scratch folder")
	only := flag.String("only", "", "run only the steps whose name contains this")
	flag.Parse()

	b := &bench{short: *short, reps: 7}
	if b.short {
		b.reps = 3
	}
	var err error
	b.module, err = filepath.Abs(*module)
	must("module path", err)
	if _, err := os.Stat(b.module); err != nil {
		must("module binary", fmt.Errorf("%v: run make build first", err))
	}
	// /var/lib, 0755: real unprivileged containers need every parent
	// traversable by their root (host uid 100000).
	base := os.TempDir()
	if os.Geteuid() == 0 {
		base = "/var/lib"
	}
	b.work, err = os.MkdirTemp(base, "phoenix-bench-")
	must("scratch folder", err)
	must("scratch folder", os.Chmod(b.work, 0o755))
	if !*keep {
		atExit(func() { _ = os.RemoveAll(b.work) })
	}
	b.pct, err = testkit.Build(b.work, "pct", "./tests/pctemu")
	must("building the pct emulator", err)

	var t table
	start := time.Now()
	steps := []struct {
		name string
		run  func(*bench, *table)
	}{
		{"converged fleets on the pct emulator", fleetRows},
		{"fresh converge", freshRows},
		{"fleet under a real node's latency", latencyRows},
		{"real LXC and Ansible", lxcRows},
		{"Ansible over SSH", sshRows},
		{"binary", binaryRows},
		{"shared volume", volumeRows},
		{"validate", validateRows},
	}
	for _, s := range steps {
		if !strings.Contains(s.name, *only) {
			continue
		}
		fmt.Fprintf(os.Stderr, "bench: %s ...\n", s.name)
		s.run(b, &t)
	}

	fmt.Printf("phoenix_lxc bench (%s), %s, %d cores, %s, %s/%s\n\n", mode(b.short),
		time.Now().Format("2006-01-02"), runtime.NumCPU(), cpuModel(), runtime.GOOS, runtime.GOARCH)
	t.print(os.Stdout)
	fmt.Printf("\nTimes are medians of %d runs; the whole bench took %s.\n", b.reps, time.Since(start).Round(time.Second))
	exit(0)
}

func mode(short bool) string {
	if short {
		return "short"
	}
	return "full"
}

// cpuModel is the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	data, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
