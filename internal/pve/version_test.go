package pve

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// dpkg's order for the versions pve-container ships (6.1.6 brought a
// mount point's idmap=).
func TestVersionAtLeast(t *testing.T) {
	for _, c := range []struct {
		have string
		ok   bool
	}{{"6.1.6", true}, {"6.1.10", true}, {"6.2.0", true}, {"7.0", true}, {"1:5.0", true},
		{"6.1.5", false}, {"6.1.6~rc1", false}, {"6.0.18", false}, {"5.2.3", false}, {"", false}} {
		assert.Equal(t, c.ok, VersionAtLeast(c.have, "6.1.6"), c.have)
	}
}

func TestPackageVersionReadsTheInstalledStanza(t *testing.T) {
	status := "Package: pve-container\nStatus: deinstall ok config-files\nVersion: 5.0.1\n\n" +
		"Package: lxc-pve\nStatus: install ok installed\nVersion: 6.0.0-1\n\n" +
		"Package: pve-container\nStatus: install ok installed\nVersion: 6.1.6\n"
	assert.Equal(t, "6.1.6", PackageVersion([]byte(status), "pve-container"))
	assert.Equal(t, "", PackageVersion([]byte("Package: pve-container\nStatus: deinstall ok config-files\nVersion: 6.1.6\n"), "pve-container"))
}
