package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A new CT has root's shadow entry, locked ("*"), as a template has it;
// chpasswd -e writes a crypt(3) hash as is, keeping the entry's other
// fields and the other entries, and cat reads it back.
func TestChpasswdEncryptedWritesTheHashAsIs(t *testing.T) {
	h := newHost(t)
	h.create("100")
	assert.Equal(t, "root:*:19000:0:99999:7:::\n", h.read("var/lib/lxc/100/rootfs/etc/shadow"))
	h.ok("start", "100")
	h.write("var/lib/lxc/100/rootfs/etc/shadow", "root:*:19500:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n")
	const hash = "$6$Rh/OHeJ6rjvY87TH$of/fDIRbz5vmfxHt1eyQhfQ0zqb7kYkkLH2MI4o.M1rldOql4HHwafXbY7BTRCm1/JB0ka82VV6nltq1FivsU0"
	r := h.pctIn("root:"+hash+"\n", "exec", "100", "--", "chpasswd", "-e")
	assert.Equal(t, 0, r.code, r.stderr)
	want := "root:" + hash + ":19500:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"
	assert.Equal(t, want, h.read("var/lib/lxc/100/rootfs/etc/shadow"))
	assert.Equal(t, want, h.ok("exec", "100", "--", "cat", "/etc/shadow").stdout)

	r = h.pctIn("root\n", "exec", "100", "--", "chpasswd", "-e")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "chpasswd: line 1: missing new password")
}
