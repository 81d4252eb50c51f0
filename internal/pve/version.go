package pve

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// idmappedSince is the first pve-container with a mount point's idmap=.
const idmappedSince = "6.1.6"

// PackageVersion is the installed version of pkg in a dpkg status file,
// "" when it is not installed.
func PackageVersion(status []byte, pkg string) string {
	var name, state, version string
	sc := bufio.NewScanner(bytes.NewReader(status))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if name == pkg && strings.HasSuffix(state, " installed") {
				return version
			}
			name, state, version = "", "", ""
			continue
		}
		k, v, _ := strings.Cut(line, ": ")
		switch k {
		case "Package":
			name = v
		case "Status":
			state = v
		case "Version":
			version = v
		}
	}
	if name == pkg && strings.HasSuffix(state, " installed") {
		return version
	}
	return ""
}

// VersionAtLeast compares Debian versions by their epoch and the numbers
// of their upstream part; a "~" suffix sorts before the plain version
// (6.1.6~rc1 < 6.1.6), as dpkg sorts it.
func VersionAtLeast(have, want string) bool {
	h, w := versionKey(have), versionKey(want)
	for i := 0; i < len(h) || i < len(w); i++ {
		var a, b int
		if i < len(h) {
			a = h[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return a > b
		}
	}
	return true
}

// versionKey is [epoch, n1, n2, ..., tilde]: tilde is -1 when the upstream
// numbers are followed by "~", else 0.
func versionKey(v string) []int {
	epoch := 0
	if e, rest, ok := strings.Cut(v, ":"); ok {
		epoch, _ = strconv.Atoi(e)
		v = rest
	}
	key := []int{epoch}
	num := ""
	for _, r := range v + "." {
		if r >= '0' && r <= '9' {
			num += string(r)
			continue
		}
		n, _ := strconv.Atoi(num)
		key = append(key, n)
		num = ""
		if r != '.' {
			tilde := 0
			if r == '~' {
				tilde = -1
			}
			for len(key) < 5 {
				key = append(key, 0)
			}
			return append(key, tilde)
		}
	}
	for len(key) < 5 {
		key = append(key, 0)
	}
	return append(key, 0)
}

// idmappedSupported refuses idmapped volumes before anything changes when
// this node's pve-container is older than 6.1.6 or cannot be told: pct
// would refuse the mount point ("invalid key ... idmap").
func (b *Backend) idmappedSupported(spec *schema.Spec) error {
	for i, v := range spec.SharedVolumes {
		if !v.Idmapped {
			continue
		}
		where := v.Where
		if where == "" {
			where = fmt.Sprintf("shared_volumes.%d", i)
		}
		data, err := b.readNode(b.C.DpkgStatus())
		if err != nil {
			return fmt.Errorf("%s.idmapped: needs pve-container %s or later, and its version cannot be read (%v); upgrade Proxmox VE or drop idmapped", where, idmappedSince, err)
		}
		have := PackageVersion(data, "pve-container")
		if have == "" || !VersionAtLeast(have, idmappedSince) {
			if have == "" {
				have = "none installed"
			}
			return fmt.Errorf("%s.idmapped: needs pve-container %s or later (mount point idmap=); this node has %s (%s): upgrade Proxmox VE or drop idmapped", where, idmappedSince, have, b.C.DpkgStatus())
		}
		return nil
	}
	return nil
}
