package pct

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// Kind is a class of pct failure, for errors.Is. A kind may belong to a
// broader kind (ErrAlreadyRunning is also ErrRunning).
type Kind struct {
	name   string
	hint   string // what the user can do about it
	parent *Kind
}

func (k *Kind) Error() string { return k.name }

// Is reports whether target is k's broader kind.
func (k *Kind) Is(target error) bool {
	for p := k.parent; p != nil; p = p.parent {
		if p == target {
			return true
		}
	}
	return false
}

// The failures pct reports, recognised from its stderr (pct-spec §3.19).
var (
	ErrNotFound = &Kind{name: "container does not exist",
		hint: "check the CTID, or create the container first"}
	ErrExists = &Kind{name: "CTID already in use",
		hint: "pick another CTID, or destroy the existing guest first"}
	ErrLocked = &Kind{name: "container is locked",
		hint: "another operation holds the lock; wait for it, or clear a stale lock with `pct unlock <CTID>`"}
	ErrRunning = &Kind{name: "container is running",
		hint: "stop the container first"}
	ErrAlreadyRunning = &Kind{name: "container is already running", parent: ErrRunning,
		hint: "nothing to do"}
	ErrNotRunning = &Kind{name: "container is not running",
		hint: "start the container first"}
	ErrReadOnlyOption = &Kind{name: "option is read-only after creation",
		hint: "recreate the container (or restore a backup with the new value) to change it"}
	ErrRequiredOption = &Kind{name: "option is required and cannot be deleted",
		hint: "set a new value instead of deleting it"}
	ErrFeatureUnavailable = &Kind{name: "storage or mount point lacks a needed feature",
		hint: "bind and device mount points, and some storages, cannot be snapshotted, cloned or templated"}
	ErrSnapshotRefused = &Kind{name: "snapshot refused", parent: ErrFeatureUnavailable,
		hint: "remove bind mount points (mpN with a host path) before the snapshot, and never snapshot a template"}
	ErrTemplateRefused = &Kind{name: "template conversion refused", parent: ErrFeatureUnavailable,
		hint: "a template needs a stopped container without snapshots or bind mount points"}
	ErrCloneMountpoint = &Kind{name: "clone refused: bind or device mount point", parent: ErrFeatureUnavailable,
		hint: "remove the source's bind mount points (mpN with a host path) before cloning"}
	ErrSnapshotExists = &Kind{name: "snapshot name already used",
		hint: "pick another snapshot name or delete the old snapshot"}
	ErrSnapshotNotFound = &Kind{name: "snapshot does not exist",
		hint: "check template_snapshot_name of the source container"}
	ErrShrink = &Kind{name: "disk cannot shrink or stay equal",
		hint: "only a larger size can be applied"}
	ErrProtected = &Kind{name: "container is protected",
		hint: "clear the protection flag (`pct set <CTID> --protection 0`) first"}
	ErrLinkedClones = &Kind{name: "linked clones still use its disks",
		hint: "destroy the linked clones first: list them before it in ctids, or give config_file, whose clones are destroyed before their sources"}
	ErrBadParameter = &Kind{name: "pct refused a parameter",
		hint: "this is a bug in phoenix_lxc or an unsupported pct version; report the command line"}
	ErrNoQuorum = &Kind{name: "cluster has no quorum",
		hint: "restore cluster quorum, then run again"}
	ErrNotRoot = &Kind{name: "pct needs root",
		hint: "run phoenix_lxc as root (become: true)"}
	ErrStartFailed = &Kind{name: "container failed to start",
		hint: "see the lxc-start log in the command output, or run `pct start <CTID> --debug 1`"}
	ErrPctMissing = &Kind{name: "pct could not run",
		hint: "install Proxmox VE's pct, or set " + EnvPct + " to its path"}
	ErrTaskFailed = &Kind{name: "pct task failed",
		hint: "read pct's message above"}
	ErrTimedOut = &Kind{name: "pct timed out",
		hint: "pct was killed with its process group; raise command_timeout if the host is just slow"}
)

// patterns map pct's messages to kinds, most specific first.
var patterns = []struct {
	re   *regexp.Regexp
	kind *Kind
}{
	{regexp.MustCompile(`Configuration file '[^']*' does not exist`), ErrNotFound},
	{regexp.MustCompile(`(CT|VM) \d+ already exists on node`), ErrExists},
	{regexp.MustCompile(`CT is locked \(|can't lock file '[^']*' - got timeout`), ErrLocked},
	{regexp.MustCompile(`CT \d+ already running`), ErrAlreadyRunning},
	{regexp.MustCompile(`(CT|VM) \d+ not running|container '\d+' not running!|can only (push|pull) files (to|from) a running`), ErrNotRunning},
	{regexp.MustCompile(`container is running|if the CT is running|when container is running|of a running container is only possible`), ErrRunning},
	{regexp.MustCompile(`unable to (modify|delete) read-only option`), ErrReadOnlyOption},
	{regexp.MustCompile(`unable to delete required option`), ErrRequiredOption},
	{regexp.MustCompile(`unable to clone mountpoint`), ErrCloneMountpoint},
	{regexp.MustCompile(`snapshot feature is not available|can't take a snapshot if it's a template`), ErrSnapshotRefused},
	{regexp.MustCompile(`Template feature is not available|unable to create template|convert a template to a template`), ErrTemplateRefused},
	{regexp.MustCompile(`feature for '[^']*' is not available`), ErrFeatureUnavailable},
	{regexp.MustCompile(`snapshot name '[^']*' already used`), ErrSnapshotExists},
	{regexp.MustCompile(`snapshot '[^']*' does not exist`), ErrSnapshotNotFound},
	{regexp.MustCompile(`unable to shrink disk size|disk is already at specified size`), ErrShrink},
	{regexp.MustCompile(`protection mode enabled`), ErrProtected},
	{regexp.MustCompile(`is still in use by linked clone`), ErrLinkedClones},
	{regexp.MustCompile(`cluster not ready - no quorum`), ErrNoQuorum},
	{regexp.MustCompile(`please run as root`), ErrNotRoot},
	{regexp.MustCompile(`startup for container '\d+' failed`), ErrStartFailed},
	{regexp.MustCompile(`Parameter verification failed|Unknown option|unable to parse option|not enough arguments|too many arguments|unknown command`), ErrBadParameter},
}

// Error is a failed pct call: what kind of failure, and the command with its
// exit code and stderr. errors.Is(err, ErrLocked) and
// errors.As(err, **runner.Error) both work.
type Error struct {
	Kind *Kind
	Cmd  *runner.Error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s (%s)", e.Kind.name, e.Cmd.Error(), e.Kind.hint)
}

// Is matches the error's kind and its broader kinds.
func (e *Error) Is(target error) bool {
	return target == e.Kind || e.Kind.Is(target)
}

// Unwrap returns the command error.
func (e *Error) Unwrap() error { return e.Cmd }

// Classify turns a runner error from pct into an *Error of the matching
// kind. Other errors are returned unchanged; nil stays nil.
func Classify(err error) error {
	var re *runner.Error
	if err == nil || !errors.As(err, &re) {
		return err
	}
	if re.TimedOut > 0 {
		return &Error{Kind: ErrTimedOut, Cmd: re}
	}
	if re.Stopped != nil {
		return re // not pct's failure: the run was stopped, and re says so
	}
	if re.ExitCode < 0 {
		return &Error{Kind: ErrPctMissing, Cmd: re}
	}
	return &Error{Kind: kindOf(re.Stderr + "\n" + re.Stdout), Cmd: re}
}

func kindOf(text string) *Kind {
	for _, p := range patterns {
		if p.re.MatchString(text) {
			return p.kind
		}
	}
	return ErrTaskFailed
}

// nomapFailure reports the failure of a push, pull, template or resize that
// exited 0: pct prints the worker's error on stderr and still exits 0
// (pct-spec §1.3). Warning summaries do not count as failures.
func nomapFailure(argv []string, res runner.Result) error {
	var msgs []string
	for _, l := range strings.Split(string(res.Stderr), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "Task finished with") || strings.HasPrefix(l, "WARN") {
			continue
		}
		msgs = append(msgs, l)
	}
	if len(msgs) == 0 {
		return nil
	}
	re := &runner.Error{Argv: argv, ExitCode: res.ExitCode, Stdout: string(res.Stdout), Stderr: strings.Join(msgs, "\n")}
	return &Error{Kind: kindOf(re.Stderr), Cmd: re}
}
