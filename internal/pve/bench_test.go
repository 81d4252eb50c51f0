package pve

import (
	"fmt"
	"testing"
)

// BenchmarkObserveConverged observes a converged fleet of 1, 10 and 100
// containers on the emulator and reports pct invocations per Observe (the
// goal: 1, whatever the size).
func BenchmarkObserveConverged(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("containers=%d", n), func(b *testing.B) {
			e := newEmu(b)
			ids := e.seed(n)
			e.resetLog()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := e.b.Observe(e.ctx, ids); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			calls := len(e.calls())
			b.ReportMetric(float64(calls)/float64(b.N), "pct/op")
			b.ReportMetric(float64(calls)/float64(b.N)/float64(n), "pct/container")
		})
	}
}

// BenchmarkBarePctList is the baseline for BenchmarkObserveConverged: one
// bare `pct list` of the emulator with 100 containers.
func BenchmarkBarePctList(b *testing.B) {
	e := newEmu(b)
	e.seed(100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.b.C.Run(e.ctx, []string{e.b.C.Pct, "list"}, nil); err != nil {
			b.Fatal(err)
		}
	}
}
