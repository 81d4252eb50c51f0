package main

import (
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"
)

// median runs f reps times and returns the median wall time in seconds.
// f's first error stops the measurement.
func median(reps int, f func() error) (float64, error) {
	var ts []float64
	for i := 0; i < reps; i++ {
		start := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		ts = append(ts, time.Since(start).Seconds())
	}
	sort.Float64s(ts)
	return ts[len(ts)/2], nil
}

// command runs argv with env added to this process's environment and
// returns its stdout; a failure carries the command line and its stderr.
func command(env []string, argv ...string) ([]byte, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s: %v\nstderr: %s\nstdout: %.2000s", strings.Join(argv, " "), err, stderr.String(), out)
	}
	return out, nil
}

// cleanups run, last first, when the bench ends, whether it fails or not.
var cleanups []func()

// atExit registers f to run when the bench ends.
func atExit(f func()) { cleanups = append(cleanups, f) }

// exit runs the cleanups and ends the process with code.
func exit(code int) {
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	os.Exit(code)
}

// must stops the benchmark with a message saying which measurement failed.
func must(what string, err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %s: %v\n", what, err)
		exit(1)
	}
}

// medianOf is the median of samples (0 for none).
func medianOf(samples []float64) float64 {
	if len(samples) == 0 {
		return 0
	}
	s := append([]float64(nil), samples...)
	sort.Float64s(s)
	return s[len(s)/2]
}
