package module

import "os"

// Host is what the run learns from its environment, read once here at the
// edge: where pct, the Proxmox files, the LXC path, the id grants, the run
// locks and fstab are. Production leaves every variable unset; tests point
// them at an emulated node. Nothing below module reads the environment.
type Host struct {
	Pct     string // PHOENIX_LXC_PCT, else /usr/sbin/pct
	PveRoot string // PHOENIX_LXC_PVE_ROOT, else /: the root the Proxmox files are under
	LXCPath string // PHOENIX_LXC_LXCPATH, else /var/lib/lxc (the lxc backend)
	SubUID  string // PHOENIX_LXC_SUBUID, else /etc/subuid
	SubGID  string // PHOENIX_LXC_SUBGID, else /etc/subgid
	LockDir string // PHOENIX_LXC_LOCK_DIR, else /run/lock/phoenix_lxc
	Fstab   string // PHOENIX_LXC_FSTAB, else /etc/fstab
}

// ReadHost reads the host's settings from the environment.
func ReadHost() Host {
	env := func(key, def string) string {
		if v := os.Getenv(key); v != "" {
			return v
		}
		return def
	}
	return Host{
		Pct:     env("PHOENIX_LXC_PCT", "/usr/sbin/pct"),
		PveRoot: env("PHOENIX_LXC_PVE_ROOT", "/"),
		LXCPath: env("PHOENIX_LXC_LXCPATH", "/var/lib/lxc"),
		SubUID:  env("PHOENIX_LXC_SUBUID", "/etc/subuid"),
		SubGID:  env("PHOENIX_LXC_SUBGID", "/etc/subgid"),
		LockDir: env("PHOENIX_LXC_LOCK_DIR", LockDir),
		Fstab:   env("PHOENIX_LXC_FSTAB", "/etc/fstab"),
	}
}
