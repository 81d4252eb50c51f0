package hostpath

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckVolume(t *testing.T) {
	for _, p := range []string{"/srv/data", "/mnt/pve/quickOS/shared-prod-data/ssl", "/usr/local/phoenix_hypervisor/etc/nginx/sites-available", "/tmp/x/vol"} {
		assert.NoError(t, CheckVolume(p), p)
	}
	for p, why := range map[string]string{
		"":               "empty",
		"srv/data":       "not absolute",
		"/srv/../etc":    "not clean",
		"/srv/data/":     "not clean",
		"/":              "system directory",
		"/usr":           "system directory",
		"/etc/ssh":       "system tree /etc",
		"/etc/pve/lxc":   "system tree /etc",
		"/proc/1":        "system tree /proc",
		"/var/lib/lxc/9": "system tree /var/lib/lxc",
	} {
		err := CheckVolume(p)
		if assert.Error(t, err, p) {
			assert.Contains(t, err.Error(), why, p)
		}
	}
}
