package volume

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkConvergedVolume100k builds a volume of 100,000 root-owned files
// (100 directories of 1,000), converges it once (reported as first_ms and
// first_chowns), then measures Apply on the converged volume, which must make
// no chown and no chmod (reported as chowns/op and chmods/op).
func BenchmarkConvergedVolume100k(b *testing.B) {
	needRoot(b)
	hp := filepath.Join(b.TempDir(), "vol")
	for d := 0; d < 100; d++ {
		dir := filepath.Join(hp, fmt.Sprintf("d%03d", d))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := 0; f < 1000; f++ {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%04d", f)), nil, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	spec := Spec{HostPath: hp, UID: hostU, GID: hostG, Mode: 0o750, HasMode: true}

	start := time.Now()
	first, err := Apply(spec)
	if err != nil {
		b.Fatal(err)
	}
	firstTime := time.Since(start)
	b.Logf("first converge: %d entries visited, %d chowns, %d chmods in %v", first.Visited, first.Chowns, first.Chmods, firstTime)

	b.Run("observe", func(b *testing.B) {
		var p *Plan
		for i := 0; i < b.N; i++ {
			if p, err = Observe(spec); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(p.Chown), "chowns/op")
		b.ReportMetric(float64(p.Visited), "visited/op")
	})
	b.Run("converged", func(b *testing.B) {
		var st Stats
		for i := 0; i < b.N; i++ {
			if st, err = Apply(spec); err != nil {
				b.Fatal(err)
			}
		}
		if st.Chowns != 0 || st.Chmods != 0 {
			b.Fatalf("converged volume: %d chowns, %d chmods, want 0", st.Chowns, st.Chmods)
		}
		b.ReportMetric(float64(st.Chowns), "chowns/op")
		b.ReportMetric(float64(st.Chmods), "chmods/op")
		b.ReportMetric(float64(st.Visited), "visited/op")
		b.ReportMetric(float64(first.Chowns), "first_chowns")
		b.ReportMetric(float64(firstTime.Milliseconds()), "first_ms")
	})
}
