package volume

import (
	"os"
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckPath(t *testing.T) {
	for _, ok := range []string{
		"/mnt/pve/fastData/shared-bulk-data/vllm_models",
		"/mnt/pve/quickOS/shared-prod-data/portainer/data",
		"/usr/local/phoenix_hypervisor/etc/nginx/sites-available",
		"/srv/data", "/tank", "/tmp/x",
	} {
		assert.NoError(t, CheckPath(ok), ok)
	}
	for p, msg := range map[string]string{
		"":                        "empty",
		"relative/dir":            "not absolute",
		"/mnt/../etc":             "not clean",
		"/mnt/data/":              "not clean",
		"/mnt//data":              "not clean",
		"/mnt/./data":             "not clean",
		"/":                       "system directory",
		"/usr":                    "system directory",
		"/mnt/pve":                "system directory",
		"/var/lib":                "system directory",
		"/etc":                    "protected host tree /etc",
		"/etc/pve/x":              "protected host tree /etc",
		"/usr/lib/x":              "protected host tree /usr/lib",
		"/proc/1/root":            "protected host tree /proc",
		"/var/lib/lxc/100/rootfs": "protected host tree /var/lib/lxc",
		"/mnt/a\x00b":             "cannot carry",
		"/var/lib/vz/shared":      "protected host tree /var/lib/vz",
	} {
		assert.ErrorContains(t, CheckPath(p), msg, "%q", p)
	}
}

func TestFromShared(t *testing.T) {
	custom, err := idmap.Parse([]string{
		"u 0 100000 1000", "g 0 100000 1000", "u 1000 1000 1", "g 1000 1000 1",
		"u 1001 101001 64535", "g 1001 101001 64535",
	})
	require.NoError(t, err)
	cases := []struct {
		name       string
		v          schema.SharedVolume
		m          idmap.Set
		uid, gid   int
		mode       os.FileMode
		hasMode    bool
		errContain string
	}{
		{"default map", schema.SharedVolume{HostPath: "/srv/a", Owner: "1000:1000", Mode: "0750"}, idmap.Default(), 101000, 101000, 0o750, true, ""},
		{"no owner is container root", schema.SharedVolume{HostPath: "/srv/a"}, idmap.Default(), 100000, 100000, 0, false, ""},
		{"custom map passes 1000 through", schema.SharedVolume{HostPath: "/srv/a", Owner: "1000:1000"}, custom, 1000, 1000, 0, false, ""},
		{"privileged identity", schema.SharedVolume{HostPath: "/srv/a", Owner: "33:33", Mode: "2775"}, idmap.Identity(), 33, 33, os.ModeSetgid | 0o775, true, ""},
		{"owner outside the map", schema.SharedVolume{HostPath: "/srv/a", Owner: "70000:70000"}, idmap.Default(), 0, 0, 0, false, "outside the container's id map"},
		{"malformed owner", schema.SharedVolume{HostPath: "/srv/a", Owner: "www-data"}, idmap.Default(), 0, 0, 0, false, "not container \"uid:gid\""},
		{"negative owner", schema.SharedVolume{HostPath: "/srv/a", Owner: "-1:0"}, idmap.Default(), 0, 0, 0, false, "not container \"uid:gid\""},
		{"bad mode", schema.SharedVolume{HostPath: "/srv/a", Mode: "0980"}, idmap.Default(), 0, 0, 0, false, "not an octal mode"},
		{"refused path", schema.SharedVolume{HostPath: "/etc/x"}, idmap.Default(), 0, 0, 0, false, "protected host tree /etc"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := FromShared(c.v, c.m)
			if c.errContain != "" {
				require.ErrorContains(t, err, c.errContain)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, Spec{HostPath: c.v.HostPath, UID: c.uid, GID: c.gid, Mode: c.mode, HasMode: c.hasMode}, s)
		})
	}
}

func TestModeRoundTrip(t *testing.T) {
	for _, text := range []string{"0755", "0700", "2775", "1777", "4750", "0000"} {
		m, err := ParseMode(text)
		require.NoError(t, err)
		assert.Equal(t, text, FormatMode(m))
	}
	m, err := ParseMode("750")
	require.NoError(t, err)
	assert.Equal(t, "0750", FormatMode(m))
	for _, bad := range []string{"", "8", "17777", "-1", "0x1ff", "rwx"} {
		_, err := ParseMode(bad)
		assert.Error(t, err, bad)
	}
}

func TestApplyRefusesBadSpec(t *testing.T) {
	_, err := Apply(Spec{HostPath: "/", UID: 0, GID: 0})
	require.ErrorContains(t, err, "system directory")
	_, err = Apply(Spec{HostPath: "/srv/nope", UID: -1, GID: 0})
	require.ErrorContains(t, err, "not a valid host uid:gid")
	_, err = Observe(Spec{HostPath: "/srv/nope", Mode: os.ModeDir | 0o755, HasMode: true})
	require.ErrorContains(t, err, "bits other than permissions")
}
