package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// bigFleet writes n plain containers (no features, no scripts).
func (h *host) bigFleet(n int) string {
	var parts []string
	for i := 0; i < n; i++ {
		parts = append(parts, fmt.Sprintf(`"%d": {"name": "ct%d", "memory_mb": 512, "cores": 1, "template": "local:vztmpl/debian-12.tar.zst",
 "storage_pool": "local-lvm", "storage_size_gb": 8, "network_config": {"name": "eth0", "bridge": "vmbr0", "ip": "dhcp"}, "mac_address": "52:54:00:00:%02X:%02X"}`,
			1000+i, i, i/256, i%256))
	}
	h.write("big.json", `{"lxc_configs": {`+strings.Join(parts, ",\n")+`}}`, 0o644)
	return filepath.Join(h.dir, "big.json")
}

// BenchmarkConvergedFleet reruns the module on an already converged fleet
// of 1, 10 and 100 containers on the pct emulator, and reports the pct
// invocations and module time per container.
func BenchmarkConvergedFleet(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("containers=%d", n), func(b *testing.B) {
			h := newHost(b)
			args := map[string]any{"config_file": h.bigFleet(n)}
			first := h.run(args)
			require.Equal(b, false, first["failed"], first["msg"])
			calls, muts := 0, 0
			start := time.Now()
			for b.Loop() {
				h.resetLog()
				res := h.run(args)
				if res["changed"] != false {
					b.Fatalf("converged rerun changed: %v", actions(res))
				}
				c := h.pctCalls()
				calls += len(c)
				muts += len(h.mutations())
			}
			per := float64(b.N)
			b.ReportMetric(float64(calls)/per, "pct_calls/run")
			b.ReportMetric(float64(calls)/per/float64(n), "pct_calls/container")
			b.ReportMetric(float64(muts)/per, "state_changing/run")
			b.ReportMetric(float64(time.Since(start).Milliseconds())/per/float64(n), "ms/container")
		})
	}
}
