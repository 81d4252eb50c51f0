package hostpath

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The folders the real fleet uses, and ordinary data folders, stay allowed.
func TestCheckVolumeAllows(t *testing.T) {
	for _, p := range []string{"/srv/data", "/mnt/pve/quickOS/shared-prod-data/ssl",
		"/mnt/pve/fastData/shared-bulk-data/vllm_models",
		"/usr/local/phoenix_hypervisor/etc/nginx/sites-available", "/tmp/x/vol", "/tank/media", "/home/alice/share"} {
		assert.NoError(t, CheckVolume(p), p)
	}
}

// Issue 12: a volume that is, contains or lies inside what root executes
// or trusts, a guest's disk, or a path a mount line cannot carry.
func TestCheckVolumeRefuses(t *testing.T) {
	for p, why := range map[string]string{
		"":                                "empty",
		"srv/data":                        "not absolute",
		"/srv/../etc":                     "not clean",
		"/srv/data/":                      "not clean",
		"/":                               "system directory",
		"/usr":                            "system directory",
		"/srv":                            "system directory",
		"/etc/ssh":                        "inside the protected host tree /etc",
		"/etc/pve/lxc":                    "inside the protected host tree /etc",
		"/proc/1":                         "inside the protected host tree /proc",
		"/var/lib/lxc/9":                  "inside the protected host tree /var/lib/lxc",
		"/usr/local/bin":                  "protected host tree /usr/local/bin",
		"/usr/local/sbin/x":               "protected host tree /usr/local/sbin",
		"/root/.ssh":                      "protected host tree /root",
		"/root":                           "protected host tree /root",
		"/run/lock/phoenix_lxc":           "protected host tree /run",
		"/var/log/nginx":                  "protected host tree /var/log",
		"/var/spool/cron/crontabs":        "protected host tree /var/spool",
		"/var/backups":                    "protected host tree /var/backups",
		"/var/lib/dpkg/info":              "protected host tree /var/lib/dpkg",
		"/var/lib/pve-cluster":            "protected host tree /var/lib/pve-cluster",
		"/var/lib/vz/images/100":          "protected host tree /var/lib/vz",
		"/var/lib/vz":                     "protected host tree /var/lib/vz",
		"/usr/local/phoenix_x/../bin":     "not clean",
		"/tank/subvol-100-disk-0":         `named like a Proxmox guest disk`,
		"/dev/zvol/x":                     "protected host tree /dev",
		"/mnt/images/vm-101-disk-1.raw/x": "named like a Proxmox guest disk",
		"/mnt/base-9000-disk-0":           "named like a Proxmox guest disk",
		"/srv/a,b":                        "cannot carry",
		"/srv/a=b":                        "cannot carry",
		"/srv/a b":                        "cannot carry",
		"/srv/a\tb":                       "cannot carry",
		"/srv/a\u2028b":                   "cannot carry",
		"/srv/a\x00b":                     "cannot carry",
		"/srv/dätä":                       "cannot carry",
	} {
		err := CheckVolume(p)
		if assert.Error(t, err, p) {
			assert.Contains(t, err.Error(), why, p)
		}
	}
}

// The host's rules: the script and lock folders and the config files are
// trusted (a volume may not be, hold or lie in them), storage roots and
// their content folders are Proxmox's, shared_volume_roots restrict.
func TestHostCheck(t *testing.T) {
	h := Host{Trusted: []string{"/usr/local/phoenix_hypervisor/bin", "/opt/phx/etc/phoenix_lxc_configs.json"},
		Storages: []string{"/mnt/pve/quickOS", "/quickOS/lxc-disks"}}
	for p, why := range map[string]string{
		"/usr/local/phoenix_hypervisor/bin":   "inside the folder root trusts",
		"/usr/local/phoenix_hypervisor/bin/x": "inside the folder root trusts",
		"/usr/local/phoenix_hypervisor":       "contains the folder root trusts",
		"/opt/phx":                            "contains the folder root trusts /opt/phx/etc/phoenix_lxc_configs.json",
		"/mnt/pve/quickOS":                    "root of a Proxmox storage",
		"/mnt/pve/quickOS/images/100":         "inside the Proxmox storage folder /mnt/pve/quickOS/images",
		"/mnt/pve/quickOS/dump":               "Proxmox storage folder",
		"/mnt/pve/quickOS/template/cache":     "Proxmox storage folder",
		"/quickOS/lxc-disks":                  "root of a Proxmox storage",
		"/quickOS":                            "contains the Proxmox storage folder",
	} {
		err := h.Check(p)
		if assert.Error(t, err, p) {
			assert.Contains(t, err.Error(), why, p)
		}
	}
	for _, p := range []string{"/mnt/pve/quickOS/shared-prod-data/ssl", "/usr/local/phoenix_hypervisor/etc/nginx/sites-available", "/srv/x"} {
		assert.NoError(t, h.Check(p), p)
	}
	h.Roots = []string{"/srv", "/mnt/pve/quickOS/shared-prod-data"}
	assert.NoError(t, h.Check("/srv/x"))
	assert.NoError(t, h.Check("/mnt/pve/quickOS/shared-prod-data/ssl"))
	assert.ErrorContains(t, h.Check("/tank/x"), "not inside any of shared_volume_roots")
}

// fakeFS is a filesystem of owners and modes for CheckOnDisk.
type fakeFS map[string]struct {
	uid  uint32
	mode fs.FileMode
}

func (f fakeFS) lstat(p string) (uint32, fs.FileMode, error) {
	e, ok := f[p]
	if !ok {
		return 0, 0, fs.ErrNotExist
	}
	return e.uid, e.mode, nil
}

func TestCheckOnDisk(t *testing.T) {
	dir := fs.ModeDir
	base := fakeFS{"/": {0, dir | 0o755}, "/srv": {0, dir | 0o755}, "/tmp": {0, dir | fs.ModeSticky | 0o777}}
	with := func(extra fakeFS) Lstat {
		m := fakeFS{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m.lstat
	}
	assert.NoError(t, CheckOnDisk("/srv/new/vol", with(nil)), "missing parts are created by root")
	assert.NoError(t, CheckOnDisk("/srv/vol", with(fakeFS{"/srv/vol": {1000, dir | 0o777}})), "the volume itself may belong to anyone")
	assert.NoError(t, CheckOnDisk("/tmp/x/vol", with(fakeFS{"/tmp/x": {0, dir | 0o700}})), "a root-owned sticky parent is safe")
	for p, c := range map[string]struct {
		extra fakeFS
		why   string
	}{
		"/srv/link/vol": {fakeFS{"/srv/link": {0, fs.ModeSymlink | 0o777}}, "/srv/link is a symlink"},
		"/srv/vol":      {fakeFS{"/srv/vol": {0, fs.ModeSymlink | 0o777}}, "/srv/vol is a symlink"},
		"/srv/file":     {fakeFS{"/srv/file": {0, 0o644}}, "is not a directory"},
		"/srv/fifo":     {fakeFS{"/srv/fifo": {0, fs.ModeNamedPipe | 0o644}}, "is not a directory"},
		"/srv/u/vol":    {fakeFS{"/srv/u": {1000, dir | 0o755}}, "belongs to uid 1000"},
		"/srv/g/vol":    {fakeFS{"/srv/g": {0, dir | 0o775}}, "writable by group or others"},
		"/tmp/a/vol":    {fakeFS{"/tmp/a": {1000, dir | 0o755}}, "belongs to uid 1000"},
	} {
		err := CheckOnDisk(p, with(c.extra))
		if assert.Error(t, err, p) {
			assert.Contains(t, err.Error(), c.why, p)
		}
	}
}

// The kernel and fstab write a space in a mount point as \040; a mount
// point of the host's own fstab is found under its real name.
func TestMountPointsAreReadWithTheirEscapes(t *testing.T) {
	fstab := ParseFstab("# c\nUUID=1 /mnt/my\\040disk ext4 defaults 0 2\n/dev/sda2 none swap sw 0 0\n/dev/sda1 / ext4 defaults 0 1\n")
	require.Len(t, fstab, 1)
	assert.Equal(t, "/mnt/my disk", fstab[0].Path)
	mounted := ParseMountinfo("36 35 98:0 / /mnt/my\\040disk rw,noatime master:1 - ext3 /dev/root rw\n")
	h := Host{Expected: fstab, Mounted: mounted}
	assert.NoError(t, h.Check("/mnt/my disk/data"))
	h.Mounted = map[string]bool{}
	assert.ErrorContains(t, h.Check("/mnt/my disk/data"), "nothing is mounted there now")
}
