package pve

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/pct"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

func ptr[T any](v T) *T { return &v }

func tplSpec() *schema.Spec {
	return &schema.Spec{
		Name: "tpl", MemoryMB: 1024, SwapMB: ptr(256), Cores: 2, Template: tmpl,
		StoragePool: "local-lvm", StorageSizeGB: 8,
		NetworkConfig: &schema.NetworkConfig{Name: "eth0", Bridge: "vmbr0", IP: "10.0.0.5/24", GW: "10.0.0.1"},
		MACAddress:    "bc:24:11:00:00:05", PctOptions: []string{"nesting=1"},
		StartAtBoot: ptr(true), BootOrder: ptr(2), BootDelay: ptr(10),
	}
}

func (e *emu) observe(ctid int) *backend.State {
	e.t.Helper()
	states, err := e.b.Observe(e.ctx, []int{ctid})
	require.NoError(e.t, err)
	return states[ctid]
}

func (e *emu) do(acts ...backend.Action) {
	e.t.Helper()
	for _, a := range acts {
		require.NoError(e.t, a.Do(e.ctx), "%s %v", a.Name, a.Argv)
	}
}

// create -> configure -> start -> snapshot -> clone, each step's prediction
// matching what the emulator then holds, and a second plan being empty.
func TestEmuFlow(t *testing.T) {
	e := newEmu(t)
	spec := tplSpec()
	require.False(t, e.observe(900).Exists)

	act, pred, _ := e.b.Create(900, spec)
	e.do(act)
	st := e.observe(900)
	require.True(t, st.Exists)
	assert.Equal(t, pred.ConfText, st.ConfText, "check mode predicts the conf pct writes")
	acts, _, err := e.b.Configure(st, spec)
	require.NoError(t, err)
	assert.Empty(t, acts, "create already applied everything pct create accepts")

	spec.MemoryMB, spec.Cores = 2048, 4
	spec.PctOptions = []string{"keyctl=1"}
	acts, pred, err = e.b.Configure(st, spec)
	require.NoError(t, err)
	require.Len(t, acts, 1, "one batched pct set")
	assert.Equal(t, []string{emuBin, "set", "900", "--memory", "2048", "--cores", "4", "--features", "keyctl=1", "--description", "phoenix_lxc: managed=features.keyctl,net0\n"}, acts[0].Argv,
		"only what differs; nesting, which the managed record lists and the spec no longer names, goes")
	e.do(acts...)
	st = e.observe(900)
	assert.Equal(t, pred.ConfText, st.ConfText)

	e.do(e.b.Start(st))
	st = e.observe(900)
	assert.True(t, st.Running)
	assert.True(t, idmap.Default().Equal(st.GivenMap), "given map %v", st.GivenMap)
	assert.True(t, idmap.Default().Equal(st.RunningMap), "running map %v", st.RunningMap)
	assert.NotZero(t, st.InitPID)

	// A change pct cannot hot-plug waits in [pve:pending]; planning again
	// sees it there and plans nothing.
	spec.PctOptions = []string{"fuse=1"}
	acts, pred, err = e.b.Configure(st, spec)
	require.NoError(t, err)
	require.Len(t, acts, 1)
	assert.Equal(t, []string{"features"}, pred.Pending)
	e.do(acts...)
	st = e.observe(900)
	assert.Equal(t, []string{"features"}, st.Pending)
	assert.Equal(t, pred.ConfText, st.ConfText)
	acts, _, err = e.b.Configure(st, spec)
	require.NoError(t, err)
	assert.Empty(t, acts)

	e.do(e.b.Stop(st))
	st = e.observe(900)
	assert.False(t, st.Running)
	assert.Empty(t, st.Pending, "the post-stop hook applies pending changes")
	e.do(e.b.Snapshot(st, "golden"))
	st = e.observe(900)
	assert.Equal(t, []string{"golden"}, st.Snapshots)

	clone := &schema.Spec{Name: "app1", StoragePool: "local-lvm"}
	act, pred, _ = e.b.Clone(901, st, "golden", clone)
	assert.Equal(t, []string{emuBin, "clone", "900", "901", "--snapname", "golden", "--hostname", "app1", "--full", "1", "--storage", "local-lvm"}, act.Argv)
	e.do(act)
	c := e.observe(901)
	require.True(t, c.Exists)
	assert.Equal(t, "app1", c.Hostname)
	assert.Empty(t, c.Snapshots)
	assert.Equal(t, st.Unprivileged, c.Unprivileged)
	// The clone has a new MAC; once the spec names the MAC, one set fixes it.
	acts, _, err = e.b.Configure(c, &schema.Spec{Name: "app1", MemoryMB: 2048, NetworkConfig: spec.NetworkConfig, MACAddress: "bc:24:11:00:00:06", PctOptions: spec.PctOptions})
	require.NoError(t, err)
	require.Len(t, acts, 1)
	assert.Equal(t, []string{emuBin, "set", "901", "--net0", "name=eth0,bridge=vmbr0,gw=10.0.0.1,hwaddr=BC:24:11:00:00:06,ip=10.0.0.5/24,type=veth"}, acts[0].Argv)
	assert.NotContains(t, pred.ConfText, "hwaddr", "the clone's new MAC cannot be predicted")
}

// Grow only: a larger storage_size_gb resizes, a smaller one is a warning.
func TestEmuResizeGrowsOnly(t *testing.T) {
	e := newEmu(t)
	spec := tplSpec()
	act, _, _ := e.b.Create(905, spec)
	e.do(act)
	st := e.observe(905)

	spec.StorageSizeGB = 12
	acts, pred, err := e.b.Configure(st, spec)
	require.NoError(t, err)
	require.Len(t, acts, 1)
	assert.Equal(t, []string{emuBin, "resize", "905", "rootfs", "12G"}, acts[0].Argv)
	e.do(acts...)
	st = e.observe(905)
	assert.Equal(t, pred.ConfText, st.ConfText)

	spec.StorageSizeGB = 4
	acts, _, err = e.b.Configure(st, spec)
	require.NoError(t, err)
	assert.Empty(t, acts, "never shrink")
	assert.Contains(t, e.b.ConfigureWarnings(st, spec)[0], "never shrunk")
}

// Shared volumes: one pct set with mpN entries; a second plan keeps them.
func TestEmuMounts(t *testing.T) {
	e := newEmu(t)
	act, _, _ := e.b.Create(910, tplSpec())
	e.do(act)
	host := t.TempDir()
	vols := []schema.SharedVolume{{HostPath: host, MountPath: "/data"}, {HostPath: host, MountPath: "/ro", ReadOnly: true}}
	st := e.observe(910)
	acts, pred, _ := e.b.Mounts(st, &schema.Spec{SharedVolumes: vols})
	require.Len(t, acts, 1)
	assert.Equal(t, []string{emuBin, "set", "910", "--mp0", host + ",mp=/data", "--mp1", host + ",mp=/ro,ro=1", "--description", "phoenix_lxc: managed=mp0,mp1\n"}, acts[0].Argv,
		"the managed record gains the mount points (and drops net0, which this spec does not list)")
	e.do(acts...)
	st = e.observe(910)
	assert.Equal(t, pred.ConfText, st.ConfText)
	assert.Equal(t, []backend.Mount{{Key: "mp0", HostPath: host, MountPath: "/data"}, {Key: "mp1", HostPath: host, MountPath: "/ro", ReadOnly: true}}, st.Mounts)
	acts, _, _ = e.b.Mounts(st, &schema.Spec{SharedVolumes: vols})
	assert.Empty(t, acts)

	// A bind mount blocks snapshots and clones: typed errors.
	err := e.b.Snapshot(st, "golden").Do(e.ctx)
	assert.ErrorIs(t, err, pct.ErrSnapshotRefused)
	act, _, _ = e.b.Clone(911, st, "", &schema.Spec{Name: "x"})
	assert.ErrorIs(t, act.Do(e.ctx), pct.ErrCloneMountpoint)
}

// GPU passthrough: every device must exist under the root's /dev.
func TestEmuGPU(t *testing.T) {
	e := newEmu(t)
	act, _, _ := e.b.Create(920, tplSpec())
	e.do(act)
	st := e.observe(920)
	spec := tplSpec()
	spec.GPUAssignment = "0"
	_, _, err := e.b.Configure(st, spec)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "gpu_assignment")
	assert.Contains(t, err.Error(), "/dev/nvidia0")

	for _, d := range []string{"nvidia0", "nvidiactl", "nvidia-uvm", "nvidia-uvm-tools"} {
		require.NoError(t, os.WriteFile(filepath.Join(e.root, "dev", d), nil, 0o644))
	}
	acts, _, err := e.b.Configure(st, spec)
	require.NoError(t, err)
	require.Len(t, acts, 1)
	assert.Equal(t, []string{emuBin, "set", "920", "--dev0", "/dev/nvidia0", "--dev1", "/dev/nvidiactl", "--dev2", "/dev/nvidia-uvm", "--dev3", "/dev/nvidia-uvm-tools",
		"--description", "phoenix_lxc: managed=dev0,dev1,dev2,dev3,features.nesting,net0\n"}, acts[0].Argv)
}
