// Package pipeline converges containers: the steps of the old orchestrator
// and the checks it lacked (preflight, define, configure, idmap cycle, idmap
// gate, shared volumes, start, idmap verify, secrets, features, application
// script, template snapshot), each one observe, plan, apply; check mode
// stops after plan. A fleet is walked by dependency, several containers at
// a time.
package pipeline

import (
	"io"
	"time"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// Request is one validated run.
type Request struct {
	Fleet     map[int]*schema.Spec // every container of the input, shared volumes merged in
	Targets   []int                // what to converge (already expanded from "all")
	State     string               // present, stopped, absent
	CheckMode bool
	Diff      bool
	// NoSpec: state absent by CTID alone, the fleet's specs are empty. With
	// no dependency to go by, targets are destroyed one at a time, in the
	// order given.
	NoSpec bool

	Node string // this host's node name
	// Grants are the host's id grants, read from /etc/subuid and
	// /etc/subgid by the caller.
	Grants               idmap.Grants
	FeatureScriptDir     string
	ApplicationScriptDir string
	AllowRestart         bool
	LockTimeout          time.Duration
	LockDir              string // where per-container run locks live
	Parallel             int    // containers converged at once (at least 1)
	FailFast             bool   // start no container after the first failure

	Backend backend.Backend
	Runner  runner.Runner // for host-side commands (feature scripts)
	Log     io.Writer     // human-readable progress (stderr), may be nil
}

// Result is the whole run.
type Result struct {
	Changed    bool              `json:"changed"`
	Failed     bool              `json:"failed"`
	Msg        string            `json:"msg"`
	Containers []ContainerResult `json:"containers"`
	Warnings   []string          `json:"warnings,omitempty"`
}

// ContainerResult is one container's part of the run.
type ContainerResult struct {
	CTID      int            `json:"ctid"`
	Name      string         `json:"name,omitempty"`
	Changed   bool           `json:"changed"`
	Failed    bool           `json:"failed,omitempty"`
	Skipped   bool           `json:"skipped,omitempty"`
	Status    string         `json:"status"`               // ok, changed, failed, skipped
	BlockedBy int            `json:"blocked_by,omitempty"` // skipped: the container it needed that failed or was not run
	Msg       string         `json:"msg"`
	Step      string         `json:"step,omitempty"` // the step that failed
	Actions   []ActionResult `json:"actions"`
	Idmap     []string       `json:"idmap,omitempty"`  // the proven map
	Config    string         `json:"config,omitempty"` // final config text
	Diff      *Diff          `json:"diff,omitempty"`
	Warnings  []string       `json:"warnings,omitempty"`
}

// The statuses of a container's result.
const (
	StatusOK      = "ok"      // converged, nothing to change (or, in check mode, nothing would change)
	StatusChanged = "changed" // changed (check mode: would change)
	StatusFailed  = "failed"
	StatusSkipped = "skipped" // not run: pinned to another node, a need failed, fail_fast, or the run was stopped
)

// ActionResult is one planned or performed action.
type ActionResult struct {
	Step       string  `json:"step"`
	Action     string  `json:"action"`
	Command    string  `json:"command"`
	Pseudo     bool    `json:"pseudo,omitempty"` // command describes what the module does itself (a file edit, a record, a volume hand-over), it is no command line
	Why        string  `json:"why,omitempty"`
	Changed    bool    `json:"changed"`
	Done       bool    `json:"done"` // false in check mode and for actions not reached
	DurationMS float64 `json:"duration_ms"`
	Error      string  `json:"error,omitempty"`
}

// Diff is Ansible's diff shape.
type Diff struct {
	Before       string `json:"before"`
	After        string `json:"after"`
	BeforeHeader string `json:"before_header"`
	AfterHeader  string `json:"after_header"`
}
