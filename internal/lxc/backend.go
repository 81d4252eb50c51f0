package lxc

import (
	"path/filepath"
	"strconv"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// DefaultLXCPath is where LXC keeps containers unless New is given another
// path (the module takes it from PHOENIX_LXC_LXCPATH).
const DefaultLXCPath = "/var/lib/lxc"

// Backend drives containers with the lxc-* tools. Each container is named by
// its CTID and lives in <LXCPath>/<CTID>/.
type Backend struct {
	r       runner.Runner
	LXCPath string // passed to every lxc-* command as -P

	// ShareDir holds LXC's config includes (config/common.conf, nesting.conf).
	ShareDir string
	// SysClassNet is where host network interfaces are listed (bridge check).
	SysClassNet string
	// Proc is the procfs mount read for a running container's id maps.
	Proc string

	cg cgroups
}

var _ backend.Backend = (*Backend)(nil)

// New returns a backend running commands through r on the containers of
// lxcpath (empty: /var/lib/lxc). It reads the host's cgroup layout once.
func New(r runner.Runner, lxcpath string) *Backend {
	if lxcpath == "" {
		lxcpath = DefaultLXCPath
	}
	return &Backend{
		r: r, LXCPath: filepath.Clean(lxcpath), // as in the monitor's socket name
		ShareDir: "/usr/share/lxc", SysClassNet: "/sys/class/net", Proc: "/proc",
		cg: detectCgroups("/sys/fs/cgroup"),
	}
}

// Name is "lxc".
func (b *Backend) Name() string { return "lxc" }

// CgroupLayout names the detected layout: "v1", "v2" or "hybrid".
func (b *Backend) CgroupLayout() string { return b.cg.Layout }

// Files of one container, all outside its rootfs.
func (b *Backend) dir(ctid int) string        { return filepath.Join(b.LXCPath, strconv.Itoa(ctid)) }
func (b *Backend) confPath(ctid int) string   { return filepath.Join(b.dir(ctid), "config") }
func (b *Backend) records(ctid int) string    { return filepath.Join(b.dir(ctid), "phoenix_lxc.records") }
func (b *Backend) pending(ctid int) string    { return filepath.Join(b.dir(ctid), "phoenix_lxc.pending") }
func (b *Backend) snapsDir(ctid int) string   { return filepath.Join(b.dir(ctid), "snaps") }
func (b *Backend) rootfsPath(ctid int) string { return filepath.Join(b.dir(ctid), "rootfs") }

// lxc builds an lxc-* argv for container ctid, always with -P and -n.
func (b *Backend) lxc(tool string, ctid int, args ...string) []string {
	return append([]string{tool, "-P", b.LXCPath, "-n", strconv.Itoa(ctid)}, args...)
}
