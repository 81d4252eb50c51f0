package conf

import "strings"

// rawKeyStatus says what pct does with a raw lxc.* key on load: keep it
// silently (msg ""), keep it with the warning msg, or drop it with msg.
// known is false for keys pct does not know at all (dropped too).
func rawKeyStatus(key string) (keep bool, msg string, known bool) {
	if rejectedRaw[key] != "" {
		return false, key + ": " + rejectedRaw[key], true
	}
	if allowedRaw[key] {
		return true, "", true
	}
	if strings.HasPrefix(key, "lxc.limit.") {
		return true, key + ": lxc.limit.* was renamed to lxc.prlimit.*", true
	}
	if n, ok := deprecatedRaw[key]; ok {
		return true, key + " is deprecated and was renamed to " + n, true
	}
	if strings.HasPrefix(key, "lxc.cgroup.") {
		return true, key + ": lxc.cgroup.* keys are deprecated, this will be a hard error in the future!", true
	}
	for _, p := range []string{"lxc.cgroup2.", "lxc.prlimit.", "lxc.net."} {
		if strings.HasPrefix(key, p) {
			return true, "", true
		}
	}
	return false, "", false
}

var rejectedRaw = map[string]string{
	"lxc.rootfs.path":    "lxc.rootfs.path is auto generated from rootfs",
	"lxc.rootfs.options": `lxc.rootfs.options is not supported, please use mount point options in the "rootfs" key`,
}

var allowedRaw = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range strings.Fields(`apparmor.profile apparmor.allow_incomplete apparmor.allow_nesting
		apparmor.raw selinux.context include arch uts.name signal.halt signal.reboot signal.stop
		init.cmd init.cwd init.uid init.gid init.groups pty.max console.logfile console.path
		tty.max devtty.dir hook.autodev autodev kmsg mount.fstab mount.entry mount.auto
		rootfs.mount cap.drop cap.keep seccomp.profile seccomp.notify.proxy seccomp.notify.cookie
		idmap hook.pre-start hook.pre-mount hook.mount hook.start hook.stop hook.post-stop
		hook.clone hook.destroy hook.version log.level log.file start.auto start.delay
		start.order group environment environment.runtime environment.hooks sysctl.fs.mqueue
		sysctl.kernel.msgmax sysctl.kernel.msgmnb sysctl.kernel.msgmni sysctl.kernel.sem
		sysctl.kernel.shmall sysctl.kernel.shmmax sysctl.kernel.shmmni
		sysctl.kernel.shm_rmid_forced`) {
		m["lxc."+k] = true
	}
	return m
}()

var deprecatedRaw = map[string]string{
	"lxc.id_map": "lxc.idmap", "lxc.aa_profile": "lxc.apparmor.profile",
	"lxc.aa_allow_incomplete": "lxc.apparmor.allow_incomplete", "lxc.console": "lxc.console.path",
	"lxc.devttydir": "lxc.devtty.dir", "lxc.haltsignal": "lxc.signal.halt",
	"lxc.rebootsignal": "lxc.signal.reboot", "lxc.stopsignal": "lxc.signal.stop",
	"lxc.init_cmd": "lxc.init.cmd", "lxc.loglevel": "lxc.log.level", "lxc.logfile": "lxc.log.file",
	"lxc.mount": "lxc.mount.fstab", "lxc.pts": "lxc.pty.max", "lxc.se_context": "lxc.selinux.context",
	"lxc.seccomp": "lxc.seccomp.profile", "lxc.tty": "lxc.tty.max", "lxc.utsname": "lxc.uts.name",
	"lxc.network.type": "lxc.net.INDEX.type", "lxc.network.name": "lxc.net.INDEX.name",
	"lxc.network.link": "lxc.net.INDEX.link", "lxc.network.hwaddr": "lxc.net.INDEX.hwaddr",
	"lxc.network.mtu": "lxc.net.INDEX.mtu", "lxc.network.flags": "lxc.net.INDEX.flags",
	"lxc.network.ipv4": "lxc.net.INDEX.ipv4.address", "lxc.network.ipv6": "lxc.net.INDEX.ipv6.address",
	"lxc.network.ipv4.gateway": "lxc.net.INDEX.ipv4.gateway",
	"lxc.network.ipv6.gateway": "lxc.net.INDEX.ipv6.gateway",
	"lxc.network.script.up":    "lxc.net.INDEX.script.up", "lxc.network.script.down": "lxc.net.INDEX.script.down",
}
