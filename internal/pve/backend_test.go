package pve

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/pct"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// fakeBackend is a backend on a fresh Proxmox root that has the test
// template in local's cache, as create's planning looks for it.
func fakeBackend(t *testing.T, calls ...call) *Backend {
	root := t.TempDir()
	cache := filepath.Join(root, "var/lib/vz/template/cache")
	require.NoError(t, os.MkdirAll(cache, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(cache, strings.TrimPrefix(tmpl, "local:vztmpl/")), nil, 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "sys/class/net/vmbr0"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "sys/class/net/vmbr0/mtu"), []byte("1500\n"), 0o644))
	return &Backend{C: fakeClient(t, root, calls...)}
}

// Planning fails as pct create would when the template is not there:
// check mode says so instead of "would change".
func TestCreateOfAMissingTemplateFailsAtPlanning(t *testing.T) {
	b := fakeBackend(t)
	for _, tpl := range []string{"local:vztmpl/bussybox.tar.zst", "/no/such/template.tar.zst"} {
		_, _, err := b.Create(900, &schema.Spec{Name: "x", Template: tpl})
		assert.ErrorContains(t, err, "can't find file '"+tpl+"'")
	}
	_, _, err := b.Create(900, &schema.Spec{Name: "x"})
	assert.ErrorContains(t, err, "has no template")
	_, _, err = b.Create(900, &schema.Spec{Name: "x", Template: "nfs-tmpl:vztmpl/x.tar.zst"})
	assert.NoError(t, err, "a storage storage.cfg does not describe is left to pct")
}

func TestCreateArgvIsComplete(t *testing.T) {
	want := "PCT create 900 " + tmpl + " --storage local-lvm --rootfs local-lvm:8 --unprivileged 1 --hostname tpl --memory 1024 --swap 256 --cores 2" +
		" --net0 name=eth0,bridge=vmbr0,gw=10.0.0.1,hwaddr=BC:24:11:00:00:05,ip=10.0.0.5/24,type=veth --features nesting=1 --onboot 1 --startup order=2,up=10" +
		" --description phoenix_lxc: managed=features.nesting,net0\n"
	b := fakeBackend(t, call{Argv: want})
	act, pred, _ := b.Create(900, tplSpec())
	require.NoError(t, act.Do(context.Background()))
	assert.Contains(t, pred.ConfText, "rootfs: local-lvm:vm-900-disk-0,size=8G\n")
	assert.Contains(t, pred.ConfText, "ostype: debian\n")
	assert.True(t, pred.Exists)
}

func TestCreatePrivilegedSaysSo(t *testing.T) {
	b := fakeBackend(t)
	spec := &schema.Spec{Name: "p", Template: tmpl, Unprivileged: ptr(false)}
	act, pred, _ := b.Create(901, spec)
	assert.Contains(t, strings.Join(act.Argv, " "), "--unprivileged 0", "booleans are always explicit")
	assert.False(t, pred.Unprivileged)
}

func TestCloneOfATemplateIsLinked(t *testing.T) {
	b := fakeBackend(t, call{Argv: "PCT clone 9000 123 --hostname app1 --full 0"})
	src := &backend.State{CTID: 9000, Exists: true, Template: true,
		ConfText: "arch: amd64\nhostname: tpl\nmemory: 512\nrootfs: local-lvm:base-9000-disk-0,size=8G\ntemplate: 1\nunprivileged: 1\nlxc.idmap: u 0 100000 65536\n"}
	act, pred, _ := b.Clone(123, src, "golden", &schema.Spec{Name: "app1", StoragePool: "other"})
	require.NoError(t, act.Do(context.Background()))
	assert.Equal(t, "arch: amd64\nhostname: app1\nmemory: 512\nrootfs: local-lvm:vm-123-disk-0,size=8G\nunprivileged: 1\nlxc.idmap: u 0 100000 65536\n", pred.ConfText,
		"no template flag, raw keys kept, storage of a linked clone unchanged")
}

func TestDestroyStopsARunningContainerFirst(t *testing.T) {
	b := fakeBackend(t, call{Argv: "PCT stop 105"}, call{Argv: "PCT destroy 105 --purge 1"})
	require.NoError(t, b.Destroy(&backend.State{CTID: 105, Exists: true, Running: true}).Do(context.Background()))
}

func TestConfigureRefusesUnprivilegedChange(t *testing.T) {
	b := fakeBackend(t)
	st := &backend.State{CTID: 105, Exists: true, Unprivileged: true, ConfText: "unprivileged: 1\n"}
	_, _, err := b.Configure(st, &schema.Spec{Unprivileged: ptr(false)})
	assert.ErrorContains(t, err, "unprivileged")
}

func TestConfigureRejectsInjection(t *testing.T) {
	b := fakeBackend(t)
	st := &backend.State{CTID: 105, Exists: true, ConfText: "net0: name=eth0,bridge=vmbr0,type=veth\n"}
	_, _, err := b.Configure(st, &schema.Spec{NetworkConfig: &schema.NetworkConfig{Name: "eth0", Bridge: "vmbr0,firewall=0"}})
	assert.ErrorContains(t, err, "network_config.bridge")
	_, _, err = b.Configure(st, &schema.Spec{PctOptions: []string{"nesting"}})
	assert.ErrorContains(t, err, "pct_options")
	_, _, err = b.Configure(st, &schema.Spec{Idmap: []string{"u 0 100000 65536\nlxc.hook.start: /x"}})
	assert.ErrorContains(t, err, "idmap")
}

func TestMountsReuseSamePathAndTakeFreeKeys(t *testing.T) {
	b := fakeBackend(t)
	st := &backend.State{CTID: 105, Exists: true,
		ConfText: "mp0: /a,mp=/a\nmp2: /b,mp=/b\n",
		Mounts:   []backend.Mount{{Key: "mp0", HostPath: "/a", MountPath: "/a"}, {Key: "mp2", HostPath: "/b", MountPath: "/b"}}}
	acts, _, _ := b.Mounts(st, &schema.Spec{SharedVolumes: []schema.SharedVolume{{HostPath: "/a/", MountPath: "/a"}, {HostPath: "/b", MountPath: "/b", ReadOnly: true}, {HostPath: "/c", MountPath: "/c"}}})
	require.Len(t, acts, 1)
	assert.Equal(t, []string{pct.DefaultPct, "set", "105", "--mp2", "/b,mp=/b,ro=1", "--mp1", "/c,mp=/c", "--description", "phoenix_lxc: managed=mp0,mp1,mp2\n"}, acts[0].Argv)
}

// A template on a file storage cannot be cloned linked (pct-spec §7.3;
// API2/LXC.pm clone_vm: "Linked clone feature for '<volid>' is not
// available"), so it is copied in full, to storage_pool when set.
func TestCloneOfATemplateOnADirStorageIsFull(t *testing.T) {
	b := fakeBackend(t, call{Argv: "PCT clone 9000 123 --hostname app1 --full 1 --storage local-lvm"})
	writeStorageCfg(t, b, "dir: local\n\tpath /var/lib/vz\n\tcontent rootdir,vztmpl\n\nlvmthin: local-lvm\n\tvgname pve\n\tthinpool data\n\tcontent rootdir\n")
	src := &backend.State{CTID: 9000, Exists: true, Template: true,
		ConfText: "arch: amd64\nhostname: tpl\nmemory: 512\nrootfs: local:9000/base-9000-disk-0.raw,size=8G\ntemplate: 1\nunprivileged: 1\n"}
	act, pred, err := b.Clone(123, src, "", &schema.Spec{Name: "app1", StoragePool: "local-lvm"})
	require.NoError(t, err)
	require.NoError(t, act.Do(context.Background()))
	assert.Contains(t, pred.ConfText, "rootfs: local-lvm:vm-123-disk-0,size=8G\n")
}

func writeStorageCfg(t *testing.T, b *Backend, text string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(b.C.StorageCfg()), 0o755))
	require.NoError(t, os.WriteFile(b.C.StorageCfg(), []byte(text), 0o644))
}
