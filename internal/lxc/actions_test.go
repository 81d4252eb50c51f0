package lxc

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreateFromLXCTemplate(t *testing.T) {
	b, f := testBackend(t)
	act, pred, _ := b.Create(950, &schema.Spec{Name: "web", Template: "lxc:busybox"})
	cfg := filepath.Join(b.LXCPath, ".950.create.conf")
	assert.Equal(t, []string{"lxc-create", "-P", b.LXCPath, "-n", "950", "-t", "busybox", "-f", cfg}, act.Argv)
	assert.True(t, pred.Exists && pred.Unprivileged)
	assert.NoFileExists(t, cfg, "planning writes nothing")

	f.on("lxc-create", "")
	require.NoError(t, act.Do(context.Background()))
	assert.NoFileExists(t, cfg, "the creation config is removed afterwards")
	require.Len(t, f.Calls(), 1)

	_, _, err := b.Create(951, &schema.Spec{Template: "local:vztmpl/debian.tar.zst"})
	assert.ErrorContains(t, err, "cannot use Proxmox storage volumes", "a plan that cannot be made fails at planning, in check mode too")
	_, _, err = b.Create(951, &schema.Spec{Template: "lxc:../../bin/sh"})
	assert.ErrorContains(t, err, "is not an LXC template name")
}

func TestCreateFromTarballShiftsOwnership(t *testing.T) {
	b, _ := testBackend(t)
	dir := t.TempDir()
	zst, tar := filepath.Join(dir, "rootfs.tar.zst"), filepath.Join(dir, "rootfs.tar")
	_, _, err := b.Create(950, &schema.Spec{Template: zst})
	assert.ErrorContains(t, err, "template: stat "+zst, "a missing tarball fails at planning, in check mode too")
	require.NoError(t, os.WriteFile(zst, nil, 0o644))
	require.NoError(t, os.WriteFile(tar, nil, 0o644))
	act, pred, err := b.Create(950, &schema.Spec{Template: zst})
	require.NoError(t, err)
	rootfs := filepath.Join(b.LXCPath, ".950.partial", "rootfs")
	assert.Equal(t, []string{"lxc-usernsexec", "-m", "u:0:100000:65536", "-m", "g:0:100000:65536", "--",
		"tar", "--numeric-owner", "--exclude=./dev/*", "-xpf", zst, "-C", rootfs}, act.Argv)
	assert.Contains(t, pred.ConfText, "lxc.rootfs.path = dir:"+b.rootfsPath(950))

	off := false
	act, pred, _ = b.Create(951, &schema.Spec{Template: tar, Unprivileged: &off})
	assert.Equal(t, "tar", act.Argv[0], "a privileged container is extracted as is")
	assert.False(t, pred.Unprivileged)
}

func TestCloneCopiesNamedSnapshot(t *testing.T) {
	b, f := testBackend(t)
	writeCT(t, b, 900, busyboxConf)
	snap := filepath.Join(b.snapsDir(900), "snap1")
	require.NoError(t, os.MkdirAll(snap, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(snap, "comment"), []byte("golden\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(snap, "phoenix_lxc.records"), []byte(`{"feature:docker":"x"}`), 0o600))
	src := &backend.State{CTID: 900, Running: true, InitPID: 7}
	require.NoError(t, fillFromConf(src, busyboxConf, b.confPath(900)))

	act, pred, _ := b.Clone(901, src, "golden", &schema.Spec{Name: "clone"})
	assert.Equal(t, []string{"lxc-copy", "-P", b.snapsDir(900), "-n", "snap1", "-N", "901", "-p", b.LXCPath}, act.Argv)
	assert.Equal(t, 901, pred.CTID)
	assert.False(t, pred.Running)
	f.on("lxc-copy", "")
	require.NoError(t, os.MkdirAll(b.dir(901), 0o755))
	require.NoError(t, act.Do(context.Background()))
	recs, err := readRecords(b.records(901))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"feature:docker": "x"}, recs)
}

func TestLifecycleArgv(t *testing.T) {
	b, f := testBackend(t)
	st := &backend.State{CTID: 950, Exists: true, Running: true}
	P := b.LXCPath
	assert.Equal(t, []string{"lxc-start", "-P", P, "-n", "950"}, b.Start(st).Argv)
	assert.Equal(t, []string{"lxc-stop", "-P", P, "-n", "950", "-t", "10"}, b.Stop(st).Argv)
	assert.Equal(t, []string{"lxc-destroy", "-P", P, "-n", "950", "-s"}, b.Destroy(st).Argv)
	assert.Equal(t, []string{"lxc-attach", "-P", P, "-n", "950", "--clear-env", "--", "id", "-u"}, b.Exec(950, []string{"id", "-u"}, nil).Argv)

	push := b.Push(950, []byte("hello"), "/etc/motd", "0600")
	assert.Equal(t, []string{"lxc-attach", "-P", P, "-n", "950", "--clear-env", "--", "/bin/sh", "-c", pushScript, "sh", "/etc/motd", "0600"}, push.Argv)
	f.on("lxc-attach", "")
	require.NoError(t, push.Do(context.Background()))
	assert.Equal(t, []byte("hello"), f.Stdins()[0], "content goes on stdin, not through the rootfs")

	f.on("lxc-info", "State:          RUNNING\nPID:            7\n")
	f.on("lxc-stop", "")
	f.on("lxc-destroy", "")
	require.NoError(t, b.Destroy(st).Do(context.Background()))
	assert.Equal(t, []string{"lxc-stop", "-P", P, "-n", "950", "-k"}, f.Calls()[2], "a running container is killed before destroy")

	f.on("lxc-info", "State:          STOPPED\n")
	mark := len(f.Calls())
	require.NoError(t, b.Destroy(st).Do(context.Background()))
	assert.Len(t, f.Calls()[mark:], 2, "a container that stopped meanwhile is not killed")
}

func TestRecordIsReadBackByObserve(t *testing.T) {
	b, f := testBackend(t)
	writeCT(t, b, 950, busyboxConf)
	st := &backend.State{CTID: 950}
	require.NoError(t, b.Record(st, "feature:docker", "h1").Do(context.Background()))
	require.NoError(t, b.Record(st, "password", "h2").Do(context.Background()))
	f.on("lxc-info", "State:          STOPPED\n")
	got, err := b.Observe(context.Background(), []int{950})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"feature:docker": "h1", "password": "h2"}, got[950].Records)
}
