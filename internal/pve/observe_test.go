package pve

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
)

// seed writes n converged containers' confs straight into the state
// folder (as pct create would have left them), starting at CTID 200.
func (e *emu) seed(n int) []int {
	var ids []int
	for i := 0; i < n; i++ {
		id := 200 + i
		conf := fmt.Sprintf("#phoenix_lxc%%3A feature%%3Adocker=sha256%%3Aabc\narch: amd64\ncores: 2\nhostname: ct%d\nmemory: 1024\n"+
			"mp0: /srv/share,mp=/data,ro=1\nnet0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:%02X,ip=dhcp,type=veth\n"+
			"ostype: debian\nrootfs: local-lvm:vm-%d-disk-0,size=8G\nswap: 512\nunprivileged: 1\n", id, i%256, id)
		require.NoError(e.t, os.MkdirAll(filepath.Dir(e.b.C.Conf(id)), 0o755))
		require.NoError(e.t, os.WriteFile(e.b.C.Conf(id), []byte(conf), 0o640))
		ids = append(ids, id)
	}
	return ids
}

// A converged fleet of any size costs no pct invocation at all: pct list
// shows nothing the files do not (issue 11).
func TestEmuObserveRunsNoPct(t *testing.T) {
	e := newEmu(t)
	ids := e.seed(20)
	e.resetLog()
	states, err := e.b.Observe(e.ctx, append(ids, 999))
	require.NoError(t, err)
	assert.Empty(t, e.calls(), "conf files and /proc/net/unix read directly")
	require.Len(t, states, 21)
	assert.False(t, states[999].Exists, "a missing conf is an absent container")
	st := states[205]
	assert.True(t, st.Exists)
	assert.Equal(t, "ct205", st.Hostname)
	assert.True(t, st.Unprivileged)
	assert.Equal(t, map[string]string{"feature:docker": "sha256:abc"}, st.Records)
	assert.Equal(t, "/srv/share", st.Mounts[0].HostPath)
	assert.True(t, st.Mounts[0].ReadOnly)
	assert.Nil(t, st.GivenMap, "never started: no generated config, no proof")
	assert.Nil(t, st.RunningMap)
}

// custom passes host id 1000 through.
var custom = []string{"u 0 100000 1000", "g 0 100000 1000", "u 1000 1000 1", "g 1000 1000 1", "u 1001 101001 64535", "g 1001 101001 64535"}

func TestEmuObserveReadsMapsOfARunningContainer(t *testing.T) {
	e := newEmu(t)
	spec := tplSpec()
	spec.Idmap = custom
	act, _, _ := e.b.Create(930, spec)
	e.do(act)
	st := e.observe(930)
	acts, _, err := e.b.Configure(st, spec)
	require.NoError(t, err)
	require.Len(t, acts, 1, "only the raw idmap edit")
	assert.Equal(t, "edit", acts[0].Name.String())
	e.do(acts...)
	st = e.observe(930)
	e.do(e.b.Start(st))
	e.resetLog()
	st = e.observe(930)
	assert.Empty(t, e.calls())
	assert.True(t, st.Running, "running, from the emulator's proc/net/unix")
	want, _ := idmap.Parse(custom)
	assert.True(t, want.Equal(st.GivenMap), "given %v", st.GivenMap)
	assert.True(t, want.Equal(st.RunningMap), "running %v", st.RunningMap)
	assert.Equal(t, filepath.Join(e.root, "var/lib/lxc/930/config"), st.GivenMapFrom)
}

func TestGivenMapFromGeneratedConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	m, _, err := givenMap(path, false)
	require.NoError(t, err)
	assert.Nil(t, m, "missing file: no proof")

	require.NoError(t, os.WriteFile(path, []byte("lxc.arch = amd64\nlxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n"), 0o644))
	m, _, err = givenMap(path, false)
	require.NoError(t, err)
	assert.True(t, idmap.Default().Equal(m))

	require.NoError(t, os.WriteFile(path, []byte("lxc.arch = amd64\n"), 0o644))
	m, _, _ = givenMap(path, true)
	assert.True(t, idmap.Identity().Equal(m), "privileged, no lines: identity")
	m, _, _ = givenMap(path, false)
	assert.Nil(t, m, "unprivileged without lines is no proof")

	require.NoError(t, os.WriteFile(path, []byte("lxc.idmap = u 0 x 1\n"), 0o644))
	_, _, err = givenMap(path, false)
	assert.ErrorContains(t, err, path)
}

func TestRecordsKeepUserLines(t *testing.T) {
	d := withRecord("my web box\n", "feature:docker", "sha256:1")
	d = withRecord(d, "app", "sha256:2")
	d = withRecord(d, "feature:docker", "sha256:3")
	assert.Equal(t, "my web box\nphoenix_lxc: feature:docker=sha256:3\nphoenix_lxc: app=sha256:2\n", d)
	assert.Equal(t, map[string]string{"feature:docker": "sha256:3", "app": "sha256:2"}, parseRecords(d))
	assert.True(t, strings.HasSuffix(withRecord("", "a", "b"), "phoenix_lxc: a=b\n"))
}

// pve-container LXC.pm::list_active_containers: a line of 8 fields whose
// path is exactly @/var/lib/lxc/<CTID>/command. Anything else, a file
// socket of the same name or a longer abstract name included, is not a
// running container.
func TestActiveContainersFromNetUnix(t *testing.T) {
	path := filepath.Join(t.TempDir(), "unix")
	text := "Num       RefCount Protocol Flags    Type St Inode Path\n" +
		"0000000000000000: 00000002 00000000 00010000 0001 01 20100 @/var/lib/lxc/100/command\n" +
		"0000000000000000: 00000003 00000000 00000000 0001 03 20101\n" +
		"0000000000000000: 00000002 00000000 00010000 0001 01 20102 /var/lib/lxc/101/command\n" +
		"0000000000000000: 00000002 00000000 00010000 0001 01 20103 @/var/lib/lxc/102/command.x\n" +
		"0000000000000000: 00000002 00000000 00010000 0001 01 20104 @/var/lib/lxc/0103/command\n" +
		"0000000000000000: 00000002 00000000 00010000 0001 01 20106 @/var/lib/lxc/1104/command\n" +
		"0000000000000000: 00000002 00000000 00010000 0001 01 20105 @/var/lib/lxc/104/command"
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	got, err := activeContainers(path, []int{100, 101, 102, 103, 104, 105})
	require.NoError(t, err)
	assert.Equal(t, map[int]bool{100: true, 104: true}, got)
	got, err = activeContainers(path, []int{104})
	require.NoError(t, err)
	assert.Equal(t, map[int]bool{104: true}, got, "the last line, with no newline after it")
	got, err = activeContainers(filepath.Join(t.TempDir(), "missing"), []int{100})
	require.NoError(t, err)
	assert.Empty(t, got, "no file: nothing runs, as for pct")
}
