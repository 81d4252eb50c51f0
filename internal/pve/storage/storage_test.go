package storage

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The format pve-storage's PVE/Storage/Plugin.pm parse_config reads: a
// "<type>: <storeid>" line, then indented "<key> <value>" lines.
func TestStorageCfgPaths(t *testing.T) {
	cfg := "dir: local\n\tpath /var/lib/vz\n\tcontent iso,vztmpl,backup\n\n" +
		"zfspool: quickOS-lxc-disks\n\tpool quickOS/lxc-disks\n\tcontent rootdir,images\n\tsparse 1\n\n" +
		"lvmthin: local-lvm\n\tthinpool data\n\tvgname pve\n\tcontent rootdir,images\n\n" +
		"nfs: fastData\n\texport /export/fast\n\tpath /mnt/pve/fastData\n\tserver 10.0.0.5\n\n" +
		"cifs: backup\n\tserver 10.0.0.6\n\tshare b\n"
	var paths []string
	for _, s := range Parse(cfg) {
		paths = append(paths, s.Paths()...)
	}
	assert.Equal(t, []string{"/var/lib/vz", "/quickOS/lxc-disks", "/mnt/pve/fastData", "/mnt/pve/backup"}, paths)
}
