package main

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A running CT is listed in proc/net/unix as pve-container's
// LXC.pm::list_active_containers looks for it: a line of the kernel's
// format whose path is @/var/lib/lxc/<id>/command. Stop removes it.
func TestRunningIsInProcNetUnix(t *testing.T) {
	h := newHost(t)
	h.create("100")
	h.create("101")
	h.ok("start", "100")
	h.ok("start", "101")
	lines := strings.Split(strings.TrimRight(h.read("proc/net/unix"), "\n"), "\n")
	assert.Equal(t, "Num       RefCount Protocol Flags    Type St Inode Path", lines[0])
	assert.Regexp(t, `^[0-9a-f]{16}: 00000002 00000000 00010000 0001 01 200100 @/var/lib/lxc/100/command$`, lines[2])
	assert.Contains(t, h.read("proc/net/unix"), " @/var/lib/lxc/101/command\n")
	h.ok("stop", "100")
	assert.NotContains(t, h.read("proc/net/unix"), "@/var/lib/lxc/100/command")
	assert.Contains(t, h.read("proc/net/unix"), "@/var/lib/lxc/101/command")
}

// PCTEMU_DELAY_MS makes invocations sleep by subcommand, default for the
// rest, and refuses what it cannot read.
func TestDelayModel(t *testing.T) {
	h := newHost(t, "PCTEMU_DELAY_MS=default=0,create=300")
	start := time.Now()
	h.create("100")
	assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)
	start = time.Now()
	h.ok("config", "100")
	assert.Less(t, time.Since(start), 250*time.Millisecond)

	bad := newHost(t, "PCTEMU_DELAY_MS=crate=10")
	r := bad.pct("list")
	assert.Equal(t, 255, r.code)
	assert.Contains(t, r.stderr, `"crate" is not a pct subcommand`)
}

// During a clone's copy the source says lock: disk, and a second clone of
// it fails as on Proxmox; afterwards the lock is gone.
func TestCloneLocksItsSourceForTheCopy(t *testing.T) {
	h := newHost(t, "PCTEMU_DELAY_MS=clone=600")
	h.create("100")
	h.ok("snapshot", "100", "base")
	done := make(chan result)
	go func() { done <- h.pct("clone", "100", "101", "--snapname", "base") }()
	time.Sleep(300 * time.Millisecond)
	assert.Contains(t, h.read("etc/pve/lxc/100.conf"), "lock: disk\n")
	r := h.pct("clone", "100", "102", "--snapname", "base")
	assert.Equal(t, 255, r.code)
	assert.Contains(t, r.stderr, "CT is locked (disk)")
	require.Equal(t, 0, (<-done).code)
	assert.NotContains(t, h.read("etc/pve/lxc/100.conf"), "lock:")
	assert.True(t, h.exists("etc/pve/lxc/101.conf"))
}

// The post-stop hook regenerates the LXC config after every stop
// (pve-container src/lxc-pve-poststop-hook: `if ($conf->{pending})` is
// always true, PVE::LXC::Config::parse_pct_config sets pending => {}), so
// a raw lxc.idmap edit made while the CT ran shows in the generated config
// right after the stop, with nothing pending.
func TestGeneratedConfigIsRewrittenAfterEveryStop(t *testing.T) {
	h := newHost(t)
	h.create("100")
	h.ok("start", "100")
	assert.Contains(t, h.read("var/lib/lxc/100/config"), "lxc.idmap = u 0 100000 65536\n")
	h.write("etc/pve/lxc/100.conf", h.read("etc/pve/lxc/100.conf")+"lxc.idmap: u 0 200000 65536\nlxc.idmap: g 0 200000 65536\n")
	assert.NotContains(t, h.read("var/lib/lxc/100/config"), "200000", "a running CT keeps the config it started with")
	h.ok("stop", "100")
	gen := h.read("var/lib/lxc/100/config")
	assert.Contains(t, gen, "lxc.idmap = u 0 200000 65536\n")
	assert.NotContains(t, gen, "lxc.idmap = u 0 100000 65536", "no default lines beside a custom map")
}

// Volume names follow the storage's type in storage.cfg (pve-storage
// get_next_vm_diskname through alloc_disk; pct-spec.md §7.3): a ZFS
// dataset, a raw image under <id>/ on a dir storage, a plain volume on
// LVM-thin; clones allocate the same way on their target storage.
func TestVolumeNamesFollowTheStorageType(t *testing.T) {
	h := newHost(t)
	h.write("etc/pve/storage.cfg", "dir: local\n\tpath /var/lib/vz\n\tcontent vztmpl,rootdir\n\n"+
		"zfspool: tank\n\tpool tank/ct\n\tcontent rootdir,images\n\n"+
		"lvmthin: thin\n\tvgname pve\n\tthinpool data\n\tcontent rootdir,images\n")
	for id, want := range map[string]string{
		"100": "rootfs: tank:subvol-100-disk-0,size=8G\n",
		"101": "rootfs: local:101/vm-101-disk-0.raw,size=8G\n",
		"102": "rootfs: thin:vm-102-disk-0,size=8G\n",
	} {
		store := map[string]string{"100": "tank", "101": "local", "102": "thin"}[id]
		h.create(id, "--rootfs", store+":8")
		assert.Contains(t, h.read("etc/pve/lxc/"+id+".conf"), want)
	}
	h.ok("snapshot", "100", "base")
	h.ok("clone", "100", "110", "--snapname", "base", "--full", "1", "--storage", "local")
	assert.Contains(t, h.read("etc/pve/lxc/110.conf"), "rootfs: local:110/vm-110-disk-0.raw,size=8G\n")
}

// A raw image on a dir storage cannot be snapshotted (pve-storage
// volume_has_feature; pct-spec.md §3 "snapshot feature is not
// available"); a ZFS one can.
func TestSnapshotFollowsTheStorageMatrix(t *testing.T) {
	h := newHost(t)
	h.write("etc/pve/storage.cfg", "dir: local\n\tpath /var/lib/vz\n\tcontent vztmpl,rootdir\n\nzfspool: tank\n\tpool tank/ct\n\tcontent rootdir\n")
	h.create("100", "--rootfs", "local:8")
	r := h.pct("snapshot", "100", "base")
	assert.Equal(t, 255, r.code)
	assert.Contains(t, r.stderr, "snapshot feature is not available")
	h.create("101", "--rootfs", "tank:8")
	h.ok("snapshot", "101", "base")
}

// pct commands started at once on a fresh node all succeed (the first
// ones make the node's folders together), and .vmlist ends up listing
// every container, as pmxcfs's would.
func TestCreatesAtOnceOnAFreshNode(t *testing.T) {
	h := newHost(t)
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = h.pct("create", strconv.Itoa(200+i), "local:vztmpl/debian-12.tar.zst").code
		}()
	}
	wg.Wait()
	vmlist := h.read("etc/pve/.vmlist")
	for i, c := range codes {
		assert.Equal(t, 0, c, "CT %d", 200+i)
		assert.Contains(t, vmlist, `"`+strconv.Itoa(200+i)+`": {`)
	}
}
