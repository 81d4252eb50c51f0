// Package backend defines what the pipeline needs from a host that runs
// containers: one interface, implemented by the Proxmox (pct) adapter and the
// LXC adapter. The pipeline never knows which one it drives.
package backend

import (
	"context"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// State is one container as observed from scratch. Absent is a state
// (Exists false), not an error.
type State struct {
	CTID   int
	Exists bool
	// Elsewhere is the cluster node that holds the container when it is
	// not on this one (pct: /etc/pve/.vmlist); Exists is then false.
	Elsewhere    string
	Running      bool
	Template     bool   // Proxmox template flag (cannot start or snapshot)
	Protected    bool   // Proxmox protection: no destroy, no mount point change
	Lock         string // Proxmox lock value, "" when unlocked
	Unprivileged bool
	Hostname     string

	// ConfText is the container's config in the backend's own format
	// (pct: the canonical /etc/pve/lxc/<CTID>.conf), used for diff and output.
	ConfText string

	Snapshots []string          // snapshot names
	Records   map[string]string // what phoenix_lxc recorded: "feature:docker" -> content hash, ...
	Mounts    []Mount           // bind mounts of host directories, as configured

	// GivenMap is the id map LXC was really given (pct: the generated
	// /var/lib/lxc/<CTID>/config; lxc: the container's config); nil when
	// there is no such proof yet. GivenMapFrom names the file it came from.
	GivenMap     idmap.Set
	GivenMapFrom string
	// Generated says the backend has made its LXC config (pct: the
	// generated /var/lib/lxc/<CTID>/config exists), so the container was
	// configured or started since it was created.
	Generated bool
	// RunningMap is read from /proc/<InitPID>/{uid,gid}_map of a running
	// container; nil when not running.
	RunningMap idmap.Set
	InitPID    int

	// Pending lists config keys a running container will only take on its
	// next restart (pct's [pve:pending]).
	Pending []string
}

// Mount is a bind mount of a host directory into the container.
type Mount struct {
	Key       string // pct: mp0..mp255; lxc: the mount entry's target
	HostPath  string
	MountPath string
	ReadOnly  bool
	Idmap     string // pct: the mount's own idmap= ("u:1000:1000:1;g:1000:1000:1"), "" for none
}

// Kind is what an action does, one verb from the list below.
type Kind string

func (k Kind) String() string { return string(k) }

// The kinds of action.
const (
	Create, Clone, Set, Resize, Edit, Write Kind = "create", "clone", "set", "resize", "edit", "write"
	Start, Stop, Destroy, Snapshot          Kind = "start", "stop", "destroy", "snapshot"
	Exec, Push, Record, Feature, BindMount  Kind = "exec", "push", "record", "feature", "mount"
	PrepareVolume, HealthCheck              Kind = "prepare_volume", "health_check"
	MakeRunFolder, CheckRunFolder           Kind = "mktemp", "check"
)

// Action is one planned change: what it does, the exact command it runs, and
// a function that runs it. Check mode renders actions and never calls Do.
type Action struct {
	Step string   // pipeline step: define, configure, idmap_cycle, shared_volumes, start, features, application, snapshot, state
	Name Kind     // what it does
	Argv []string // the exact command line (secrets masked), or, when Pseudo, a description
	// Pseudo marks an action the module does itself (a file edit, a
	// record, a volume hand-over): Argv describes it and is no command line.
	Pseudo bool
	Why    string // what differs, in words
	Do     func(ctx context.Context) error
}

// Backend is a host that runs containers.
type Backend interface {
	// Name is "pct" or "lxc".
	Name() string

	// Observe reads the given containers' states with as few external calls
	// as possible (pct: one `pct list`, conf files read directly).
	Observe(ctx context.Context, ctids []int) (map[int]*State, error)

	// Create plans creating ctid from spec.Template. It returns the action
	// and the state the container will have afterwards (for check mode),
	// or why it cannot be planned (a template that does not exist): the
	// same error in check mode as in a real run.
	Create(ctid int, spec *schema.Spec) (Action, *State, error)

	// Clone plans cloning src (from its snapshot snap) to ctid.
	Clone(ctid int, src *State, snap string, spec *schema.Spec) (Action, *State, error)

	// Configure plans the changes that bring st's config to spec: one
	// batched change where the backend can (pct: one `pct set`), plus
	// whatever cannot be batched (resize, raw lxc.idmap lines). It returns no
	// actions when converged, and the predicted state after.
	Configure(st *State, spec *schema.Spec) ([]Action, *State, error)

	// Mounts plans the bind mounts of spec's shared volumes, keeping any
	// that already point at the same host path and mount path (and what
	// must follow them: pct protects a container only after them).
	Mounts(st *State, spec *schema.Spec) ([]Action, *State, error)

	// Fields says, for every spec field by its JSON name, what the backend
	// does with it: "" when it honours it, else why it does not, which the
	// run gives as one warning when a spec sets the field. Every field is
	// decided for every backend (module's TestEveryFieldIsDecidedForEveryBackend).
	Fields() map[string]string

	Start(st *State) Action
	Stop(st *State) Action
	// Unprotect lifts Proxmox protection before a destroy the spec allows
	// (protection: false); only called when st.Protected.
	Unprotect(st *State) Action
	Destroy(st *State) Action
	Snapshot(st *State, name string) Action

	// Exec runs argv inside the running container, stdin fed from stdin.
	Exec(ctid int, argv []string, stdin []byte) Action
	// Capture is Exec without stdin that keeps the command's standard
	// output in *out when it runs (a short answer: a path, a stat line).
	Capture(ctid int, argv []string, out *string) Action
	// Push writes content to path inside the running container, never
	// through a host path into its rootfs. An existing file at path may be
	// written through a symlink (pct push does), so push only into a
	// folder no other user of the container can write.
	Push(ctid int, content []byte, path string, mode string) Action
	// Record remembers key=value for the container (what ran, with which
	// content hash) where the next run's Observe reads it back.
	Record(st *State, key, value string) Action
}
