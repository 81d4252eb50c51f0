package pct

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// Every typed error is recognised from pct's exact stderr text, keeps the
// command error, and says what to do.
func TestClassifyEveryKind(t *testing.T) {
	cases := []struct {
		stderr string
		exit   int
		kind   *Kind
	}{
		{"Configuration file 'nodes/pve/lxc/105.conf' does not exist\n", 2, ErrNotFound},
		{"CT 105 already exists on node 'pve'\n", 255, ErrExists},
		{"VM 105 already exists on node 'pve'\n", 255, ErrExists},
		{"CT is locked (backup)\n", 255, ErrLocked},
		{"can't lock file '/run/lock/lxc/pve-config-105.lock' - got timeout\n", 255, ErrLocked},
		{"CT 105 already running\n", 255, ErrAlreadyRunning},
		{"CT 105 not running\n", 255, ErrNotRunning},
		{"container '105' not running!\n", 2, ErrNotRunning},
		{"can only push files to a running CT\n", 2, ErrNotRunning},
		{"unable to destroy CT 105 - container is running\n", 255, ErrRunning},
		{"unable to modify read-only option: 'unprivileged'\n", 2, ErrReadOnlyOption},
		{"unable to delete read-only option: 'unprivileged'\n", 2, ErrReadOnlyOption},
		{"unable to delete required option 'memory'\n", 2, ErrRequiredOption},
		{"unable to clone mountpoint 'mp0' (type bind)\n", 255, ErrCloneMountpoint},
		{"snapshot feature is not available\n", 255, ErrSnapshotRefused},
		{"you can't take a snapshot if it's a template\n", 255, ErrSnapshotRefused},
		{"Template feature is not available for '/srv/x'\n", 0, ErrTemplateRefused},
		{"Linked clone feature for 'local:100/vm-100-disk-0.raw' is not available\n", 255, ErrFeatureUnavailable},
		{"snapshot name 'golden' already used\n", 255, ErrSnapshotExists},
		{"snapshot 'golden' does not exist\n", 255, ErrSnapshotNotFound},
		{"unable to shrink disk size\n", 255, ErrShrink},
		{"can't remove CT 105 - protection mode enabled\n", 255, ErrProtected},
		{"base volume 'local-lvm:base-105-disk-0' is still in use by linked clones\n", 255, ErrLinkedClones},
		{"400 Parameter verification failed.\nmemory: value must have a minimum value of 16\n", 255, ErrBadParameter},
		{"cluster not ready - no quorum?\n", 255, ErrNoQuorum},
		{"please run as root\n", 255, ErrNotRoot},
		{"startup for container '105' failed\n", 255, ErrStartFailed},
		{"something nobody expected\n", 255, ErrTaskFailed},
	}
	for _, tc := range cases {
		t.Run(tc.kind.name, func(t *testing.T) {
			argv := []string{"/usr/sbin/pct", "x", "105"}
			err := Classify(&runner.Error{Argv: argv, ExitCode: tc.exit, Stderr: tc.stderr})
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.kind)
			var re *runner.Error
			require.ErrorAs(t, err, &re, "the command error stays reachable")
			assert.Equal(t, argv, re.Argv)
			assert.Contains(t, err.Error(), tc.kind.hint)
		})
	}
}

func TestAlreadyRunningIsAlsoRunning(t *testing.T) {
	err := Classify(&runner.Error{Argv: []string{"pct", "start", "1"}, ExitCode: 255, Stderr: "CT 100 already running"})
	assert.ErrorIs(t, err, ErrRunning)
	assert.NotErrorIs(t, err, ErrNotRunning)
	assert.ErrorIs(t, Classify(&runner.Error{ExitCode: 255, Stderr: "unable to clone mountpoint 'mp1' (type bind)"}), ErrFeatureUnavailable)
}

func TestClassifyMissingPct(t *testing.T) {
	err := Classify(&runner.Error{Argv: []string{"/nope/pct", "list"}, ExitCode: -1, Inner: errors.New("no such file")})
	assert.ErrorIs(t, err, ErrPctMissing)
	assert.Contains(t, err.Error(), EnvPct)
	assert.Nil(t, Classify(nil))
	plain := errors.New("plain")
	assert.Equal(t, plain, Classify(plain))
}

// push, template and resize exit 0 when their worker fails; the message on
// stderr is the only sign.
func TestNomapFailureOnExitZero(t *testing.T) {
	argv := []string{"pct", "push", "1", "a", "b"}
	assert.NoError(t, nomapFailure(argv, runner.Result{}))
	assert.NoError(t, nomapFailure(argv, runner.Result{Stderr: []byte("Task finished with 1 warning(s)!\n")}))
	err := nomapFailure(argv, runner.Result{Stderr: []byte("failed to create file: /x/y: No such file or directory\n")})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrTaskFailed)
	assert.Contains(t, err.Error(), "failed to create file")
	err = nomapFailure(argv, runner.Result{Stderr: []byte("Template feature is not available for '/srv'\n")})
	assert.ErrorIs(t, err, ErrTemplateRefused)
}

func TestRunClassifies(t *testing.T) {
	f := newFake(t, call{Argv: "PCT start 105", Exit: 255, Stderr: "CT is locked (snapshot)\n"})
	c := testClient(f, t.TempDir())
	_, err := c.Run(context.Background(), c.StartArgv(105), nil)
	assert.ErrorIs(t, err, ErrLocked)
}

func TestTimeoutIsItsOwnKind(t *testing.T) {
	err := Classify(&runner.Error{Argv: []string{"pct", "start", "900"}, ExitCode: -1, TimedOut: 2 * time.Second})
	assert.ErrorIs(t, err, ErrTimedOut)
	assert.Contains(t, err.Error(), "timed out after 2s")
	assert.NotContains(t, err.Error(), "message above")
}
