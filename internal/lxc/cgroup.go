package lxc

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// cgroups is the host's cgroup layout, per controller: LXC writes a v1 key
// (lxc.cgroup.*) for a controller mounted as cgroup v1 and a v2 key
// (lxc.cgroup2.*) for one in the unified hierarchy.
type cgroups struct {
	Layout   string // "v1", "v2" or "hybrid"
	MemoryV2 bool   // memory controller is in the unified hierarchy
	CPUV2    bool   // cpu controller is in the unified hierarchy
	Memsw    bool   // v1 memory controller accounts swap (memory.memsw.*)
}

// detectCgroups reads the layout under root (normally /sys/fs/cgroup).
func detectCgroups(root string) cgroups {
	if _, err := os.Stat(filepath.Join(root, "cgroup.controllers")); err == nil {
		return cgroups{Layout: "v2", MemoryV2: true, CPUV2: true}
	}
	unified := ""
	if b, err := os.ReadFile(filepath.Join(root, "unified", "cgroup.controllers")); err == nil {
		unified = " " + strings.TrimSpace(string(b)) + " "
	}
	g := cgroups{Layout: "v1"}
	if _, err := os.Stat(filepath.Join(root, "unified")); err == nil {
		g.Layout = "hybrid"
	}
	if !isDir(filepath.Join(root, "memory")) && strings.Contains(unified, " memory ") {
		g.MemoryV2 = true
	}
	if !isDir(filepath.Join(root, "cpu")) && strings.Contains(unified, " cpu ") {
		g.CPUV2 = true
	}
	if !g.MemoryV2 {
		_, err := os.Stat(filepath.Join(root, "memory", "memory.memsw.limit_in_bytes"))
		g.Memsw = err == nil
	}
	return g
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// cpuPeriod is the CFS period used for the cores limit, in microseconds.
const cpuPeriod = 100000

// ownedCgroupKeys are every cgroup key this backend may write, so that a
// key of the other layout (a config moved between hosts) is removed.
var ownedCgroupKeys = []string{
	"lxc.cgroup.memory.limit_in_bytes", "lxc.cgroup.memory.memsw.limit_in_bytes",
	"lxc.cgroup.cpu.cfs_quota_us", "lxc.cgroup.cpu.cfs_period_us",
	"lxc.cgroup2.memory.max", "lxc.cgroup2.memory.swap.max", "lxc.cgroup2.cpu.max",
}

// keys returns the cgroup keys for memory, swap and cores (0 or nil: not
// managed). Proxmox's swap is in addition to memory; v1 memsw counts both.
// cores becomes a CPU time quota of that many CPUs, which works on any host
// (a cpuset would need that many CPUs to exist).
func (g cgroups) keys(memoryMB int, swapMB *int, cores int) map[string]string {
	out := map[string]string{}
	mb := func(n int) string { return strconv.FormatInt(int64(n)*1024*1024, 10) }
	if memoryMB > 0 {
		if g.MemoryV2 {
			out["lxc.cgroup2.memory.max"] = mb(memoryMB)
			if swapMB != nil {
				out["lxc.cgroup2.memory.swap.max"] = mb(*swapMB)
			}
		} else {
			out["lxc.cgroup.memory.limit_in_bytes"] = mb(memoryMB)
			if swapMB != nil && g.Memsw {
				out["lxc.cgroup.memory.memsw.limit_in_bytes"] = mb(memoryMB + *swapMB)
			}
		}
	}
	if cores > 0 {
		quota := strconv.Itoa(cores * cpuPeriod)
		if g.CPUV2 {
			out["lxc.cgroup2.cpu.max"] = quota + " " + strconv.Itoa(cpuPeriod)
		} else {
			out["lxc.cgroup.cpu.cfs_quota_us"] = quota
			out["lxc.cgroup.cpu.cfs_period_us"] = strconv.Itoa(cpuPeriod)
		}
	}
	return out
}
