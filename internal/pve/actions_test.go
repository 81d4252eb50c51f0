package pve

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/pct"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

func (e *emu) running(ctid int) {
	act, _, _ := e.b.Create(ctid, tplSpec())
	e.do(act)
	e.do(e.b.Start(e.observe(ctid)))
}

func TestEmuRecordsSurviveAStaleState(t *testing.T) {
	e := newEmu(t)
	act, _, _ := e.b.Create(940, tplSpec())
	e.do(act)
	_, err := e.b.C.Run(e.ctx, e.b.C.SetArgv(940, []pct.Opt{{Key: "description", Value: "my own note: keep"}}), nil)
	require.NoError(t, err)
	st := e.observe(940)
	// Two records planned from the same state, as the pipeline does within a step.
	a1, a2 := e.b.Record(st, "feature:docker", "sha256:1"), e.b.Record(st, "feature:nvidia", "sha256:2")
	e.do(a1, a2)
	st = e.observe(940)
	assert.Equal(t, map[string]string{"feature:docker": "sha256:1", "feature:nvidia": "sha256:2"}, st.Records)
	assert.Contains(t, st.ConfText, "#my own note%3A keep\n")
	e.resetLog()
	e.do(e.b.Record(st, "feature:docker", "sha256:1"))
	assert.Empty(t, e.calls(), "an unchanged record costs no pct call")
}

func TestEmuPushExec(t *testing.T) {
	e := newEmu(t)
	e.running(941)
	e.do(e.b.Exec(941, []string{"mkdir", "-p", "/tmp/run"}, nil))
	push := e.b.Push(941, []byte("secret"), "/tmp/run/x.sh", "0700")
	assert.NotContains(t, push.Argv, "secret")
	e.do(push)
	fi, err := os.Stat(filepath.Join(e.root, "var/lib/lxc/941/rootfs/tmp/run/x.sh"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())

	// pct push exits 0 when it fails; the client still reports it.
	err = e.b.Push(941, []byte("x"), "/no/such/dir/x", "0644").Do(e.ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "failed to create file")

	assert.ErrorIs(t, e.b.Exec(941, []string{"false"}, nil).Do(e.ctx), pct.ErrExecFailed)
	e.do(e.b.Stop(e.observe(941)))
	assert.ErrorIs(t, e.b.Exec(941, []string{"true"}, nil).Do(e.ctx), pct.ErrNotRunning)
	assert.ErrorIs(t, e.b.Push(941, []byte("x"), "/tmp/x", "").Do(e.ctx), pct.ErrNotRunning)
}

func TestEmuStartStopDestroyAreIdempotent(t *testing.T) {
	e := newEmu(t)
	e.running(942)
	st := e.observe(942)
	stale := *st
	stale.Running = false
	e.do(e.b.Start(&stale))
	e.do(e.b.Destroy(st))
	assert.False(t, e.observe(942).Exists)
	e.do(e.b.Stop(st), e.b.Destroy(&stale))
}

func TestEmuFirewallFile(t *testing.T) {
	e := newEmu(t)
	act, _, _ := e.b.Create(943, tplSpec())
	e.do(act)
	spec := tplSpec()
	spec.Firewall = &schema.Firewall{Enabled: true, Rules: []schema.FirewallRule{
		{Type: "in", Action: "ACCEPT", Source: "10.0.0.153", Proto: "tcp", Port: "6334", Comment: "qdrant"}}}
	acts, _, err := e.b.Configure(e.observe(943), spec)
	require.NoError(t, err)
	require.Len(t, acts, 2, "net0 firewall=1 in the set, the rules in their own file")
	assert.Contains(t, acts[0].Argv[len(acts[0].Argv)-1], "firewall=1")
	e.do(acts...)
	fw, err := os.ReadFile(filepath.Join(e.root, "etc/pve/firewall/943.fw"))
	require.NoError(t, err)
	assert.Equal(t, "[OPTIONS]\n\nenable: 1\n\n[RULES]\n\nIN ACCEPT -source 10.0.0.153 -p tcp -dport 6334 # qdrant\n", string(fw))
	st := e.observe(943)
	assert.NotContains(t, st.ConfText, "RULES", "never into the container conf")
	acts, _, err = e.b.Configure(st, spec)
	require.NoError(t, err)
	assert.Empty(t, acts)

	spec.Firewall.Rules[0].Source = "10.0.0.1 -dport 1"
	_, _, err = e.b.Configure(st, spec)
	assert.ErrorContains(t, err, "firewall.rules[0]")
}

// The typed errors, from the emulator's real messages.
func TestEmuTypedErrors(t *testing.T) {
	e := newEmu(t)
	c := e.b.C
	run := func(argv []string) error { _, err := c.Run(e.ctx, argv, nil); return err }
	assert.ErrorIs(t, run(c.StartArgv(777)), pct.ErrNotFound)
	e.running(944)
	assert.ErrorIs(t, run(c.StartArgv(944)), pct.ErrAlreadyRunning)
	assert.ErrorIs(t, run(c.CreateArgv(944, tplSpec().Template, nil)), pct.ErrExists)
	_, _, err := e.b.Create(944, tplSpec())
	assert.ErrorContains(t, err, "CT 944 already exists on node 'pve'", "planning reads .vmlist, as check_vmid_unused")
	assert.ErrorIs(t, run(c.SetArgv(944, []pct.Opt{pct.Bool("unprivileged", false)})), pct.ErrReadOnlyOption)
	assert.ErrorIs(t, run(c.DestroyArgv(944)), pct.ErrRunning)
	require.NoError(t, run(c.StopArgv(944)))
	assert.ErrorIs(t, run(c.StopArgv(944)), pct.ErrNotRunning)
	require.NoError(t, run(c.SnapshotArgv(944, "golden", nil)))
	assert.ErrorIs(t, run(c.SnapshotArgv(944, "golden", nil)), pct.ErrSnapshotExists)
	assert.ErrorIs(t, run(c.CloneArgv(944, 945, []pct.Opt{{Key: "snapname", Value: "nope"}})), pct.ErrSnapshotNotFound)
	assert.ErrorIs(t, c.Resize(e.ctx, 944, "rootfs", 2), pct.ErrShrink)
	require.NoError(t, c.Resize(e.ctx, 944, "rootfs", 9))
	assert.ErrorIs(t, c.Template(e.ctx, 944), pct.ErrTemplateRefused, "a container with snapshots cannot become a template")
	require.NoError(t, run(c.SetArgv(944, []pct.Opt{{Key: "lock", Value: "backup"}})))
	assert.ErrorIs(t, run(c.SetArgv(944, []pct.Opt{{Key: "memory", Value: "600"}})), pct.ErrLocked)
	assert.ErrorIs(t, run(c.SetArgv(944, []pct.Opt{{Key: "bogus", Value: "1"}})), pct.ErrBadParameter)
}
