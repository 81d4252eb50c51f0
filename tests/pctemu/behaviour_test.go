package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreateDefaultsAndCanonicalConf(t *testing.T) {
	h := newHost(t)
	h.create("100", "--hostname", "web01", "--rootfs", "local-lvm:8", "--net0", "name=eth0,bridge=vmbr0,ip=dhcp")
	conf := h.read("etc/pve/lxc/100.conf")
	assert.Regexp(t, `^arch: amd64
hostname: web01
memory: 512
net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:[0-9A-F:]{8},ip=dhcp,type=veth
ostype: debian
rootfs: local-lvm:vm-100-disk-0,size=8G
swap: 512
unprivileged: 1
$`, conf)
	assert.False(t, h.exists("var/lib/lxc/100/config"), "create must not generate the LXC config")
	assert.NotContains(t, conf, "lxc.idmap")
	h.create("101", "--storage", "tank", "--unprivileged", "0")
	conf = h.read("etc/pve/lxc/101.conf")
	assert.Contains(t, conf, "rootfs: tank:vm-101-disk-0,size=4G\n")
	// API2/LXC.pm create_vm: `$conf->{unprivileged} = 1 if $unprivileged`,
	// so --unprivileged 0 leaves no key at all.
	assert.NotContains(t, conf, "unprivileged")
	h.write("var/lib/vz/template/cache/ubuntu-24.04-standard_24.04-2_amd64.tar.zst", "")
	assert.Equal(t, 0, h.pct("create", "103", "local:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst").code)
	assert.Contains(t, h.read("etc/pve/lxc/103.conf"), "ostype: ubuntu\n", "ostype from the template, as pct detects it")
}

func TestListStatusOutput(t *testing.T) {
	h := newHost(t)
	assert.Equal(t, result{0, "", ""}, h.pct("list"))
	h.create("101", "--hostname", "db01")
	h.create("100", "--hostname", "web01")
	h.ok("start", "100")
	h.ok("set", "101", "--lock", "backup")
	assert.Equal(t, ""+
		"VMID       Status     Lock         Name                \n"+
		"100        running                 web01               \n"+
		"101        stopped    backup       db01                \n", h.ok("list").stdout)
	assert.Equal(t, "status: running\n", h.ok("status", "100").stdout)
	v := h.ok("status", "101", "--verbose", "1").stdout
	assert.Contains(t, v, "lock: backup\nmaxdisk: 4294967296\nmaxmem: 536870912\nmaxswap: 536870912\n")
	assert.Contains(t, v, "status: stopped\n")
	assert.NotContains(t, v, "pid:")
	assert.Contains(t, h.ok("status", "100", "--verbose").stdout, "pid: 100100\n")
}

func TestPendingOnRunningCT(t *testing.T) {
	h := newHost(t)
	h.create("100", "--hostname", "web01")
	h.write("etc/pve/lxc/100.conf", h.read("etc/pve/lxc/100.conf")+"lxc.idmap = u 0 100000 65536\n")
	h.ok("start", "100")
	h.ok("set", "100", "--memory", "1024", "--ostype", "ubuntu", "--hostname", "web02", "--delete", "swap")
	conf := h.read("etc/pve/lxc/100.conf")
	assert.Contains(t, conf, "hostname: web02\nmemory: 1024\nostype: debian\n", "fast-plug and hot-plug keys apply at once")
	assert.Contains(t, conf, "lxc.idmap: u 0 100000 65536\n\n[pve:pending]\ndelete: swap\nostype: ubuntu\n")
	assert.Equal(t, "cur arch: amd64\ncur hostname: web02\ncur memory: 1024\ncur ostype: debian\nnew ostype: ubuntu\n"+
		"cur rootfs: local:vm-100-disk-0,size=4G\ndel swap: 512\ncur unprivileged: 1\n", h.ok("pending", "100").stdout)
	merged := h.ok("config", "100").stdout
	assert.Contains(t, merged, "ostype: ubuntu\n")
	assert.NotContains(t, merged, "swap:")
	assert.True(t, strings.HasSuffix(merged, "unprivileged: 1\nlxc.idmap: u 0 100000 65536\n"), merged)
	assert.Contains(t, h.ok("config", "100", "--current", "1").stdout, "ostype: debian\nrootfs")
	h.ok("stop", "100")
	conf = h.read("etc/pve/lxc/100.conf")
	assert.NotContains(t, conf, "[pve:pending]")
	assert.Contains(t, conf, "ostype: ubuntu\n")
	assert.NotContains(t, conf, "swap:")
}

func TestGeneratedConfigAndRunningState(t *testing.T) {
	h := newHost(t)
	h.create("100", "--hostname", "web01", "--memory", "512", "--net0", "name=eth0,bridge=vmbr0,ip=dhcp")
	h.ok("start", "100")
	gen := h.read("var/lib/lxc/100/config")
	for _, l := range []string{"lxc.arch = amd64\n", "lxc.include = /usr/share/lxc/config/debian.userns.conf\n",
		"lxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n", "lxc.uts.name = web01\n",
		"lxc.cgroup2.memory.max = 536870912\nlxc.cgroup2.memory.high = 532676608\nlxc.cgroup2.memory.swap.max = 536870912\n",
		"lxc.rootfs.path = /var/lib/lxc/100/rootfs\n", "lxc.net.0.veth.pair = veth100i0\n"} {
		assert.Contains(t, gen, l)
	}
	assert.Equal(t, "100100\n", h.read("run/pctemu/100.pid"))
	assert.Equal(t, "100100\n", h.read("sys/fs/cgroup/lxc/100/ns/cgroup.procs"))
	assert.Equal(t, "         0     100000      65536\n", h.read("proc/100100/uid_map"))
	assert.Equal(t, "         0     100000      65536\n", h.read("proc/100100/gid_map"))
	h.ok("stop", "100")
	for _, p := range []string{"run/pctemu/100.pid", "sys/fs/cgroup/lxc/100", "proc/100100"} {
		assert.False(t, h.exists(p), p)
	}

	// A custom map replaces the default lines and is written as raw entries.
	custom := "lxc.idmap: u 0 100000 1000\nlxc.idmap: g 0 100000 1000\nlxc.idmap: u 1000 1000 1\nlxc.idmap: g 1000 1000 1\n" +
		"lxc.idmap: u 1001 101001 64535\nlxc.idmap: g 1001 101001 64535\n"
	h.write("etc/pve/lxc/100.conf", h.read("etc/pve/lxc/100.conf")+custom)
	h.ok("set", "100", "--cores", "2")
	gen = h.read("var/lib/lxc/100/config")
	assert.NotContains(t, gen, "lxc.idmap = u 0 100000 65536")
	assert.Contains(t, gen, "lxc.idmap = u 0 100000 1000\nlxc.idmap = g 0 100000 1000\nlxc.idmap = u 1000 1000 1\n")
	h.ok("start", "100")
	assert.Equal(t, "         0     100000       1000\n      1000       1000          1\n      1001     101001      64535\n",
		h.read("proc/100100/uid_map"))

	// Privileged: no map at all, identity in /proc.
	h.create("101", "--unprivileged", "0")
	h.ok("start", "101")
	assert.NotContains(t, h.read("var/lib/lxc/101/config"), "lxc.idmap")
	assert.Equal(t, "         0          0 4294967295\n", h.read("proc/100101/uid_map"))
}

func TestIdmapBug(t *testing.T) {
	for bug, want := range map[string]string{"missing": "         0          0 4294967295\n", "wrong": "         0     200000      65536\n"} {
		t.Run(bug, func(t *testing.T) {
			h := newHost(t, "PCTEMU_IDMAP_BUG="+bug)
			h.create("100")
			h.ok("start", "100")
			assert.Equal(t, want, h.read("proc/100100/uid_map"))
			assert.NotContains(t, h.read("var/lib/lxc/100/config"), "100000")
		})
	}
}

func TestFailAtAndLog(t *testing.T) {
	log := filepath.Join(t.TempDir(), "pct.log")
	h := newHost(t, "PCTEMU_FAIL_AT=3", "PCTEMU_LOG="+log)
	h.create("100", "--password", "s3cret!") // 1
	h.ok("config", "100")                    // not counted
	h.ok("set", "100", "--memory", "256")    // 2
	before := h.read("etc/pve/lxc/100.conf")
	r := h.pct("set", "100", "--memory", "1024") // 3: fails
	assert.Equal(t, result{255, "", "PCTEMU_FAIL_AT: injected failure of 'set'\n"}, r)
	assert.Equal(t, before, h.read("etc/pve/lxc/100.conf"), "an injected failure changes nothing")
	h.ok("set", "100", "--memory", "1024") // 4: fine again
	data, err := os.ReadFile(log)
	require.NoError(t, err)
	assert.Equal(t, "! create 100 local:vztmpl/debian-12.tar.zst --password <hidden>\nconfig 100\n"+
		"! set 100 --memory 256\n! set 100 --memory 1024\n! set 100 --memory 1024\n", string(data), "state-changing invocations marked")
	assert.NotContains(t, h.read("var/lib/lxc/100/rootfs/etc/shadow"), "s3cret!")
}

func TestSnapshotsAndListSnapshot(t *testing.T) {
	h := newHost(t)
	h.create("100")
	h.ok("snapshot", "100", "snap1", "--description", "before upgrade")
	h.ok("set", "100", "--memory", "1024")
	h.ok("snapshot", "100", "snap2")
	conf := h.read("etc/pve/lxc/100.conf")
	assert.Contains(t, conf, "parent: snap2\n")
	assert.Regexp(t, `\[snap1\]\n#before upgrade\narch: amd64\n(.|\n)*snaptime: \d+\n`, conf)
	assert.Regexp(t, `\[snap2\]\n(.|\n)*parent: snap1\n`, conf)
	tree := regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`).ReplaceAllString(h.ok("listsnapshot", "100").stdout, "YYYY-MM-DD hh:mm:ss")
	assert.Equal(t, ""+
		"`-> snap1                       YYYY-MM-DD hh:mm:ss     before upgrade\n"+
		" `-> snap2                      YYYY-MM-DD hh:mm:ss     no-description\n"+
		"  `-> current                                           You are here!\n", tree)
	assert.Contains(t, h.ok("config", "100", "--snapshot", "snap1").stdout, "description: before upgrade%0A\n")
	h.ok("rollback", "100", "snap1")
	conf = h.read("etc/pve/lxc/100.conf")
	assert.Contains(t, conf, "memory: 512\n")
	assert.Contains(t, conf, "parent: snap1\n")
	h.ok("delsnapshot", "100", "snap1")
	conf = h.read("etc/pve/lxc/100.conf")
	assert.NotContains(t, conf, "[snap1]")
	assert.NotContains(t, conf, "parent: snap1")
}

func TestCloneCopiesMapAndRenewsMAC(t *testing.T) {
	h := newHost(t)
	h.create("100", "--net0", "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01", "--features", "nesting=1")
	h.write("etc/pve/lxc/100.conf", h.read("etc/pve/lxc/100.conf")+"lxc.idmap: u 0 100000 65536\nlxc.idmap: g 0 100000 65536\n")
	h.write("var/lib/lxc/100/rootfs/etc/app", "x")
	h.ok("template", "100")
	r := h.ok("clone", "100", "123", "--hostname", "app1")
	assert.Contains(t, r.stdout, "create linked clone of mount point rootfs (local:base-100-disk-0)\n")
	conf := h.read("etc/pve/lxc/123.conf")
	assert.Contains(t, conf, "features: nesting=1\nhostname: app1\n")
	assert.Contains(t, conf, "rootfs: local:vm-123-disk-0,size=4G\n")
	assert.Contains(t, conf, "unprivileged: 1\nlxc.idmap: u 0 100000 65536\nlxc.idmap: g 0 100000 65536\n")
	assert.NotContains(t, conf, "template")
	assert.NotContains(t, conf, "BC:24:11:00:00:01")
	assert.Regexp(t, `net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:`, conf)
	assert.Equal(t, "x", h.read("var/lib/lxc/123/rootfs/etc/app"))
	assert.False(t, h.exists("var/lib/lxc/100/config"))
}

func TestExecAndPush(t *testing.T) {
	h := newHost(t)
	h.create("100")
	h.ok("start", "100")
	h.ok("exec", "100", "--", "mkdir", "-p", "/opt/app")
	script := filepath.Join(t.TempDir(), "run.sh")
	require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\necho \"$PCTEMU_CT_ROOT\" > marker\nexit 7\n"), 0o644))
	h.ok("push", "100", script, "/opt/app/run.sh", "--perms", "0755")
	st, err := os.Stat(filepath.Join(h.root, "var/lib/lxc/100/rootfs/opt/app/run.sh"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o755), st.Mode().Perm())
	r := h.pct("exec", "100", "--", "/opt/app/run.sh")
	assert.Equal(t, 7, r.code, "exec passes the command's exit status")
	assert.Equal(t, filepath.Join(h.root, "var/lib/lxc/100/rootfs")+"\n", h.read("var/lib/lxc/100/rootfs/marker"))
	assert.Equal(t, 0, h.pct("exec", "100", "--", "test", "-e", "/opt/app/run.sh").code)
	assert.Equal(t, 1, h.pct("exec", "100", "--", "test", "-e", "/nope").code)
	assert.Equal(t, "#!/bin/sh\n", strings.SplitAfter(h.ok("exec", "100", "--", "cat", "/opt/app/run.sh").stdout, "\n")[0])
	assert.Equal(t, 3, h.pct("exec", "100", "--", "sh", "-c", "exit 3").code)
	r = h.pctIn("root:hunter22\n", "exec", "100", "--", "chpasswd")
	assert.Equal(t, 0, r.code)
	shadow := h.read("var/lib/lxc/100/rootfs/etc/shadow")
	assert.Regexp(t, `^root:\$pctemu-sha256\$`, shadow)
	assert.NotContains(t, shadow, "hunter22")
	h.ok("exec", "100", "--", "rm", "-rf", "/opt/app")
	assert.False(t, h.exists("var/lib/lxc/100/rootfs/opt/app"))

	// pct push follows a symlink as the container does: inside it. /evil
	// -> /etc writes the CT's /etc/passwd, never the host's.
	require.NoError(t, os.Symlink("/etc", filepath.Join(h.root, "var/lib/lxc/100/rootfs/evil")))
	h.ok("push", "100", script, "/evil/passwd")
	assert.Contains(t, h.read("var/lib/lxc/100/rootfs/etc/passwd"), "PCTEMU_CT_ROOT")
}

// Symlinks in the rootfs resolve inside it, as in the container's mount
// namespace: push creates a new file with O_EXCL and writes an existing
// one (a symlink's target too) with O_TRUNC, keeping its owner (pct.pm
// create_file); mktemp -d makes a fresh 0700 folder of the CT's root; stat
// reports ids through the CT's map, without following a symlink.
func TestSymlinksStayInsideAndMktempStat(t *testing.T) {
	h := newHost(t)
	h.create("100")
	h.ok("start", "100")
	rootfs := filepath.Join(h.root, "var/lib/lxc/100/rootfs")
	src := filepath.Join(t.TempDir(), "x")
	require.NoError(t, os.WriteFile(src, []byte("pushed\n"), 0o644))

	h.write("var/lib/lxc/100/rootfs/etc/shadow", "root:secret\n")
	require.NoError(t, os.Chown(filepath.Join(rootfs, "etc/shadow"), 100042, 100042))
	require.NoError(t, os.Symlink("../../etc/shadow", filepath.Join(rootfs, "tmp/up")))
	h.ok("push", "100", src, "/tmp/up", "--perms", "0644")
	assert.Equal(t, "pushed\n", h.read("var/lib/lxc/100/rootfs/etc/shadow"), "an existing target is truncated through the symlink")
	fi, err := os.Stat(filepath.Join(rootfs, "etc/shadow"))
	require.NoError(t, err)
	assert.Equal(t, uint32(100042), fi.Sys().(*syscall.Stat_t).Uid, "its owner stays")

	require.NoError(t, os.Symlink("/new", filepath.Join(rootfs, "tmp/dangling")))
	h.ok("push", "100", src, "/tmp/dangling")
	assert.Equal(t, "pushed\n", h.read("var/lib/lxc/100/rootfs/new"), "O_TRUNC without O_EXCL creates a dangling symlink's target")

	dir := strings.TrimSpace(h.ok("exec", "100", "--", "mktemp", "-d", "/tmp/phoenix_run.XXXXXXXXXX").stdout)
	assert.Regexp(t, `^/tmp/phoenix_run\.[A-Za-z0-9]{10}$`, dir)
	assert.Equal(t, "0 0 755 directory\n0 0 1777 directory\n0 0 700 directory\n",
		h.ok("exec", "100", "--", "stat", "-c", "%u %g %a %F", "/", "/tmp", dir).stdout)
	fi, err = os.Stat(filepath.Join(rootfs, dir))
	require.NoError(t, err)
	assert.Equal(t, uint32(100000), fi.Sys().(*syscall.Stat_t).Uid, "made by the CT's root")
	require.NoError(t, os.Lchown(filepath.Join(rootfs, "tmp/up"), 101000, 101000))
	assert.Equal(t, "symbolic link 1000\n", h.ok("exec", "100", "--", "stat", "-c", "%F %u", "/tmp/up").stdout)
	assert.Equal(t, "regular file 0\n", h.ok("exec", "100", "--", "stat", "-c", "%F %u", "/new").stdout, "a new file is the CT root's")
	h.write("var/lib/lxc/100/rootfs/tmp/x", "made on the host\n")
	assert.Equal(t, "regular file 65534\n", h.ok("exec", "100", "--", "stat", "-c", "%F %u", "/tmp/x").stdout, "host root is unmapped")
	r := h.pct("exec", "100", "--", "mktemp", "-d", "/tmp/x.XX")
	assert.Equal(t, 1, r.code)
	assert.Equal(t, "mktemp: too few X's in template '/tmp/x.XX'\n", r.stderr)
	r = h.pct("exec", "100", "--", "stat", "-c", "%u", "/nope")
	assert.Equal(t, 1, r.code)
	assert.Equal(t, "stat: cannot statx '/nope': No such file or directory\n", r.stderr)

	// mkdir never follows a symlink at its name; -p accepts one to a folder.
	require.NoError(t, os.Symlink("/etc", filepath.Join(rootfs, "tmp/run")))
	assert.Equal(t, 1, h.pct("exec", "100", "--", "mkdir", "/tmp/run").code)
	h.ok("exec", "100", "--", "mkdir", "-p", "/tmp/run/sub")
	assert.True(t, h.exists("var/lib/lxc/100/rootfs/etc/sub"))
	h.ok("exec", "100", "--", "rm", "-rf", "/tmp/run")
	assert.True(t, h.exists("var/lib/lxc/100/rootfs/etc/sub"), "rm removes the symlink, not its target")
}

func TestHotplugBindMountAndDestroy(t *testing.T) {
	h := newHost(t)
	h.create("100")
	h.ok("start", "100")
	dir := t.TempDir()
	h.ok("set", "100", "--mp0", dir+",mp=/data")
	assert.Contains(t, h.read("etc/pve/lxc/100.conf"), "mp0: "+dir+",mp=/data\n")
	h.ok("set", "100", "--mp0", dir+",mp=/other")
	assert.Contains(t, h.read("etc/pve/lxc/100.conf"), "[pve:pending]\nmp0: "+dir+",mp=/other\n", "replacing a mount point waits")
	h.ok("destroy", "100", "--force", "1")
	for _, p := range []string{"etc/pve/lxc/100.conf", "var/lib/lxc/100", "run/pctemu/100.pid"} {
		assert.False(t, h.exists(p), p)
	}
	_, err := os.Stat(dir)
	assert.NoError(t, err, "destroy leaves bind-mounted host folders alone")
}

func TestLockTimeoutAndPull(t *testing.T) {
	h := newHost(t, "PCTEMU_LOCK_TIMEOUT=0.2")
	keys := filepath.Join(t.TempDir(), "keys.pub")
	require.NoError(t, os.WriteFile(keys, []byte("ssh-ed25519 AAAA test\n"), 0o644))
	h.create("100", "--ssh-public-keys", keys)
	assert.Equal(t, "ssh-ed25519 AAAA test\n", h.read("var/lib/lxc/100/rootfs/root/.ssh/authorized_keys"))

	f, err := os.OpenFile(filepath.Join(h.root, "run/lock/lxc/pve-config-100.lock"), os.O_RDWR, 0)
	require.NoError(t, err)
	require.NoError(t, syscall.Flock(int(f.Fd()), syscall.LOCK_EX))
	r := h.pct("set", "100", "--memory", "256")
	assert.Equal(t, result{255, "", "can't lock file '/run/lock/lxc/pve-config-100.lock' - got timeout\n"}, r)
	f.Close()
	h.ok("set", "100", "--memory", "256")

	h.ok("start", "100")
	dest := filepath.Join(t.TempDir(), "out")
	h.ok("pull", "100", "/root/.ssh/authorized_keys", dest)
	got, err := os.ReadFile(dest)
	require.NoError(t, err)
	assert.Equal(t, "ssh-ed25519 AAAA test\n", string(got))
	r = h.pct("pull", "100", "/nope", dest)
	assert.Equal(t, 0, r.code)
	assert.Equal(t, "failed to open /nope: No such file or directory\n", r.stderr)
}

// pve-container LXC.pm update_lxc_config reads each NIC's bridge MTU
// (pve-common Network.pm read_bridge_mtu: /sys/class/net/<b>/mtu) when it
// writes the LXC config, at start and after set: a missing bridge fails
// start, and a NIC MTU above the bridge's fails set and start.
func TestStartNeedsTheBridge(t *testing.T) {
	h := newHost(t)
	h.create("100", "--net0", "name=eth0,bridge=vmbr9,ip=dhcp")
	r := h.pct("start", "100")
	assert.NotEqual(t, 0, r.code)
	assert.Contains(t, r.stderr, "bridge 'vmbr9' does not exist")
	assert.False(t, h.exists("var/lib/lxc/100/config"), "no LXC config was written")

	h.write("sys/class/net/vmbr9/mtu", "1400\n")
	h.ok("start", "100")
	assert.Contains(t, h.read("var/lib/lxc/100/config"), "lxc.net.0.mtu = 1400\n", "the bridge's MTU when the NIC sets none")
	h.ok("stop", "100")
	// API2/LXC/Config.pm update_vm writes the conf, then calls
	// update_lxc_config: set fails with the conf already changed.
	r = h.pct("set", "100", "--net0", "name=eth0,bridge=vmbr9,ip=dhcp,mtu=9000")
	assert.Contains(t, r.stderr, "net0: MTU size '9000' is bigger than bridge MTU '1400'")
	assert.Contains(t, h.read("etc/pve/lxc/100.conf"), "mtu=9000")
	r = h.pct("start", "100")
	assert.NotEqual(t, 0, r.code)
	assert.Contains(t, r.stderr, "net0: MTU size '9000' is bigger than bridge MTU '1400'")
}

// pve-cluster Cluster.pm check_vmid_unused: pct create and clone refuse a
// CTID that .vmlist gives to any node; .vmlist follows the nodes' folders
// after create, clone and destroy; /etc/pve/lxc is this node's folder.
func TestVMIDsAreUniqueAcrossTheCluster(t *testing.T) {
	h := newHost(t)
	h.write("etc/pve/nodes/pve2/lxc/950.conf", "hostname: other\nrootfs: local-lvm:vm-950-disk-0,size=8G\n")
	h.write("etc/pve/nodes/pve2/qemu-server/951.conf", "name: vm\n")
	h.create("100")
	assert.Equal(t, "nodes/pve/lxc", mustReadlink(t, filepath.Join(h.root, "etc/pve/lxc")))
	vmlist := h.read("etc/pve/.vmlist")
	for _, want := range []string{`"100": {`, `"950": {`, `"951": {`, `"node": "pve2"`, `"type": "qemu"`} {
		assert.Contains(t, vmlist, want)
	}
	r := h.pct("create", "950", "local:vztmpl/debian-12.tar.zst")
	assert.Contains(t, r.stderr, "CT 950 already exists on node 'pve2'")
	r = h.pct("clone", "100", "951")
	assert.Contains(t, r.stderr, "VM 951 already exists on node 'pve2'")
	h.ok("destroy", "100")
	assert.NotContains(t, h.read("etc/pve/.vmlist"), `"100"`)
}

// pve-container API2/LXC.pm create_vm's check_and_activate_storage, with
// pve-storage's storage_config and storage_check_node: the rootfs storage
// must exist, be available on this node and hold rootdir content.
func TestCreateChecksTheRootfsStorage(t *testing.T) {
	h := newHost(t)
	h.write("etc/pve/storage.cfg", "dir: local\n\tpath /var/lib/vz\n\tcontent vztmpl,iso\n\n"+
		"lvmthin: far\n\tvgname pve\n\tthinpool data\n\tcontent rootdir\n\tnodes pve2,pve3\n\n"+
		"zfspool: tank\n\tpool tank\n\tcontent rootdir\n")
	for store, want := range map[string]string{
		"nosuch": "storage 'nosuch' does not exist",
		"far":    "storage 'far' is not available on node 'pve'",
		"local":  "storage: storage 'local' does not support container directories",
	} {
		r := h.pct("create", "100", "local:vztmpl/debian-12.tar.zst", "--rootfs", store+":4")
		assert.NotEqual(t, 0, r.code, store)
		assert.Contains(t, r.stderr, want, store)
	}
	h.ok("create", "100", "local:vztmpl/debian-12.tar.zst", "--rootfs", "tank:4")
}

func mustReadlink(t *testing.T, p string) string {
	t.Helper()
	l, err := os.Readlink(p)
	require.NoError(t, err)
	return l
}

// API2/LXC.pm clone_vm checks volume_has_feature 'clone' for every volume
// of a linked clone: a template on a dir storage can only be copied.
func TestALinkedCloneNeedsAStorageThatCanLinkClone(t *testing.T) {
	h := newHost(t)
	h.write("etc/pve/storage.cfg", "dir: local\n\tpath /var/lib/vz\n\tcontent rootdir,vztmpl\n\nlvmthin: local-lvm\n\tvgname pve\n\tthinpool data\n\tcontent rootdir\n")
	h.create("100", "--rootfs", "local:4")
	h.ok("template", "100")
	r := h.pct("clone", "100", "101")
	assert.NotEqual(t, 0, r.code)
	assert.Contains(t, r.stderr, "Linked clone feature for 'local:100/base-100-disk-0.raw' is not available")
	assert.False(t, h.exists("etc/pve/lxc/101.conf"))
	h.ok("clone", "100", "101", "--full", "1", "--storage", "local-lvm")
	h.create("102", "--rootfs", "local-lvm:4")
	h.ok("template", "102")
	h.ok("clone", "102", "103")
}

// The keys issue 15 added, as pve-container's schema takes them
// (src/PVE/LXC/Config.pm: $netconf_desc, the mount point's idmap pattern,
// nameserver/searchdomain as space-separated lists, tags, protection).
func TestNewKeysAreTakenAndRefusedAsProxmoxDoes(t *testing.T) {
	h := newHost(t)
	h.create("100")
	h.write("sys/class/net/vmbr0/mtu", "1500\n")
	h.write("srv/m/.keep", "")
	for _, ok := range [][]string{
		{"--net1", "name=eth1,bridge=vmbr0,ip6=fd00::5/64,gw6=fd00::1,tag=4094,mtu=1500,rate=12.5"},
		{"--net31", "name=eth31,bridge=vmbr0,ip6=auto"},
		{"--nameserver", "10.0.0.53 1.1.1.1", "--searchdomain", "lab.example corp.example"},
		{"--tags", "web;prod", "--protection", "0"},
		{"--mp0", filepath.Join(h.root, "srv/m") + ",mp=/m,idmap=u:1000:1000:1;g:1000:1000:1"},
		{"--mp1", filepath.Join(h.root, "srv/m") + ",mp=/p,idmap=passthrough"},
	} {
		r := h.pct(append([]string{"set", "100"}, ok...)...)
		assert.Equal(t, 0, r.code, "%v: %s", ok, r.stderr)
	}
	for _, bad := range []struct{ args []string }{
		{[]string{"--net1", "name=eth1,bridge=vmbr0,tag=4095"}},
		{[]string{"--net1", "name=eth1,bridge=vmbr0,mtu=63"}},
		{[]string{"--net1", "name=eth1,bridge=vmbr0,ip6=10.0.0.5/24"}},
		{[]string{"--net1", "name=eth1,bridge=vmbr0,rate=fast"}},
		{[]string{"--net32", "name=eth32,bridge=vmbr0"}},
		{[]string{"--mp2", filepath.Join(h.root, "srv/m") + ",mp=/q,idmap=u:1000:1000:0"}},
		{[]string{"--mp2", filepath.Join(h.root, "srv/m") + ",mp=/q,idmap=x:1:1:1"}},
		{[]string{"--mp2", filepath.Join(h.root, "srv/m") + ",mp=/q,idmap=u:0:1000:10;u:5:2000:1"}},
		{[]string{"--protection", "maybe"}},
	} {
		r := h.pct(append([]string{"set", "100"}, bad.args...)...)
		assert.NotEqual(t, 0, r.code, "%v was taken", bad.args)
	}
	c := h.read("etc/pve/lxc/100.conf")
	assert.Contains(t, c, "net1: name=eth1,bridge=vmbr0,gw6=fd00::1,hwaddr=")
	assert.Contains(t, c, "nameserver: 10.0.0.53 1.1.1.1\n")
	assert.Contains(t, c, "mp0: "+filepath.Join(h.root, "srv/m")+",mp=/m,idmap=u:1000:1000:1;g:1000:1000:1\n")
}
