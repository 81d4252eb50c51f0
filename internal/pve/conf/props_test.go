package conf

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ptr[T any](v T) *T { return &v }

// Canonical values parse and print back unchanged.
func TestPropsRoundTripCanonical(t *testing.T) {
	for _, s := range []string{
		"name=eth0,bridge=vmbr0,hwaddr=BC:24:11:5E:2A:01,ip=dhcp,type=veth",
		"name=eth0,bridge=vmbr0,firewall=1,gw=192.168.1.1,hwaddr=BC:24:11:00:00:01,ip=192.168.1.50/24,ip6=auto,mtu=1450,rate=12.5,tag=42,trunks=10;20-30,type=veth",
	} {
		n, err := ParseNet(s)
		require.NoError(t, err, s)
		assert.Equal(t, s, n.String())
	}
	for _, s := range []string{"local-lvm:vm-100-disk-1,mp=/srv,backup=1,size=10G", "/tank/media,mp=/media,ro=1", "/tank/shared,mp=/shared,shared=1",
		"/srv,mp=/data,acl=0,idmap=u:1000:1000:1,keepattrs=1,mountoptions=noatime;nodev,quota=0,replicate=0"} {
		m, err := ParseMountPoint(s)
		require.NoError(t, err, s)
		assert.Equal(t, s, m.String())
	}
	r, err := ParseRootFS("local-zfs:subvol-101-disk-0,size=16G")
	require.NoError(t, err)
	assert.Equal(t, "local-zfs:subvol-101-disk-0,size=16G", r.String())
	for _, s := range []string{"nesting=1", "force_rw_sys=0,fuse=1,keyctl=1,mknod=0,mount=nfs;cifs,nesting=1"} {
		f, err := ParseFeatures(s)
		require.NoError(t, err, s)
		assert.Equal(t, s, f.String())
	}
	d, err := ParseDev("/dev/dri/renderD128,deny-write=1,gid=104,mode=0660,uid=0")
	require.NoError(t, err)
	assert.Equal(t, "/dev/dri/renderD128,deny-write=1,gid=104,mode=0660,uid=0", d.String())
}

// Non-canonical input prints in pct's order, with booleans as 0/1 and
// sizes in their largest exact unit.
func TestPropsCanonicalOrder(t *testing.T) {
	n, err := ParseNet("type=veth,ip=dhcp,firewall=yes,bridge=vmbr0,name=eth0")
	require.NoError(t, err)
	assert.Equal(t, "name=eth0,bridge=vmbr0,firewall=1,ip=dhcp,type=veth", n.String())
	assert.True(t, *n.Firewall)

	m, err := ParseMountPoint("size=8192M,ro=true,mp=/data,volume=local:vm-1-disk-1,backup=no")
	require.NoError(t, err)
	assert.Equal(t, "local:vm-1-disk-1,mp=/data,backup=0,ro=1,size=8G", m.String())

	f, err := ParseFeatures("nesting=1,keyctl=1,fuse=1,mount=nfs;cifs")
	require.NoError(t, err)
	assert.Equal(t, "fuse=1,keyctl=1,mount=nfs;cifs,nesting=1", f.String())
	assert.Equal(t, []string{"nfs", "cifs"}, f.Mount)

	d, err := ParseDev("uid=1000,path=/dev/net/tun")
	require.NoError(t, err)
	assert.Equal(t, "/dev/net/tun,uid=1000", d.String())
	assert.Equal(t, 1000, *d.UID)

	built := Net{Name: "eth0", Bridge: "vmbr1", IP: "10.0.0.5/24", GW: "10.0.0.1", Tag: ptr(5), Type: "veth"}
	assert.Equal(t, "name=eth0,bridge=vmbr1,gw=10.0.0.1,ip=10.0.0.5/24,tag=5,type=veth", built.String())
}

func TestPropsErrorsUsePctWords(t *testing.T) {
	for in, want := range map[string]string{
		"mp:/srv/x,mp=/a,color=red":  "invalid key in comma-separated list property: color",
		"mp:/srv/x,mp=/a,mp=/b":      "duplicate key in comma-separated list property: mp",
		"/a,/b,mp=/c":                "duplicate key in comma-separated list property: volume",
		"/srv/./x,mp=/a":             "/srv/./x contains illegal character sequences",
		"/srv,mp=/data/..":           "/data/.. contains illegal character sequences",
		"../srv,mp=/a":               "../srv contains illegal character sequences",
		"/srv":                       "format error - mp: property is missing and it is not optional",
		"/srv,mp=/a,ro=maybe":        "format error - ro: type check ('boolean') failed - got 'maybe'",
		"/srv,mp=/a,size=lots":       "format error - size: invalid format - unable to parse disk size 'lots' (want a number with an optional unit K, M, G or T)",
		"/srv,mp=/a,mountoptions=rw": "format error - mountoptions: value does not match the regex pattern",
		"/srv,mp=":                   "missing key in comma-separated list property",
	} {
		_, err := ParseMountPoint(in)
		if assert.Error(t, err, in) {
			assert.Equal(t, want, err.Error(), in)
		}
	}
	for in, want := range map[string]string{
		"/tmp/tun":           "/tmp/tun is not a valid device path",
		"/dev/../etc/shadow": "/dev/../etc/shadow is not a valid device path",
		"/dev/x,mode=777":    "format error - mode: value does not match the regex pattern",
		"gid=5":              "Path has to be defined",
	} {
		_, err := ParseDev(in)
		if assert.Error(t, err, in) {
			assert.Equal(t, want, err.Error(), in)
		}
	}
	for in, want := range map[string]string{
		"bridge=vmbr0":          "format error - name: property is missing and it is not optional",
		"name=eth0,mtu=9":       "format error - mtu: value must be between 64 and 65535, got 9",
		"name=eth0,ip=10.0.0.1": "format error - ip: invalid format - value does not look like a valid IPv4 network configuration",
		"eth0":                  "value without key, but schema does not define a default key",
		"name=eth0,foo=1":       "invalid key in comma-separated list property: foo",
	} {
		_, err := ParseNet(in)
		if assert.Error(t, err, in) {
			assert.Equal(t, want, err.Error(), in)
		}
	}
	_, err := ParseRootFS("local:1,backup=1")
	assert.EqualError(t, err, "invalid key in comma-separated list property: backup")
	_, err = ParseFeatures("mount=nfs|cifs")
	assert.Error(t, err)
}

func TestMountPointType(t *testing.T) {
	for vol, typ := range map[string]string{"/dev/sdb1": "device", "/tank/media": "bind", "local-lvm:vm-100-disk-1": "volume", "srv/data": "volume"} {
		assert.Equal(t, typ, MountPoint{Volume: vol}.Type(), vol)
	}
}

func TestFeaturesMergeKeepsOtherFlags(t *testing.T) {
	cur, err := ParseFeatures("keyctl=1,mount=nfs")
	require.NoError(t, err)
	got := cur.Merge(Features{Nesting: ptr(true)})
	assert.Equal(t, "keyctl=1,mount=nfs,nesting=1", got.String())
	got = got.Merge(Features{Keyctl: ptr(false), Mount: []string{"cifs"}})
	assert.Equal(t, "keyctl=0,mount=cifs,nesting=1", got.String())
}

func TestSizes(t *testing.T) {
	for in, want := range map[string]int64{"8G": 8 << 30, "512M": 512 << 20, "4T": 4 << 40, "1.5G": 3 << 29, "1000": 1000, "2GiB": 2 << 30, "16K": 16 << 10} {
		n, err := ParseSize(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, n, in)
	}
	for _, bad := range []string{"", "G", "1g", "-1G", "1.G", "1P"} {
		_, err := ParseSize(bad)
		assert.Error(t, err, bad)
	}
	for n, want := range map[int64]string{8 << 30: "8G", 512 << 20: "512M", 4 << 40: "4T", 1536 << 20: "1536M", 1000: "1000", 2048: "2K", 5 << 50: "5120T"} {
		assert.Equal(t, want, FormatSize(n))
	}
}

// startup as pct takes it: order is the default key; phoenix_lxc writes
// order, up, down.
func TestStartup(t *testing.T) {
	s, err := ParseStartup("2,up=10")
	if err != nil || s.String() != "order=2,up=10" {
		t.Fatalf("got %q, %v", s.String(), err)
	}
	if _, err := ParseStartup("order=x"); err == nil {
		t.Fatal("order=x accepted")
	}
	if g := GiB("512M"); g != 0.5 {
		t.Fatalf("GiB(512M) = %v", g)
	}
}
