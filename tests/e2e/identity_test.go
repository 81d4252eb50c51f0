package e2e

// Issue 15 point 3: DNS, tags, protection and notes.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func (h *host) conf(id string) string {
	h.t.Helper()
	c := h.Conf(id)
	require.NotEmpty(h.t, c, "CT %s has a conf", id)
	return c
}

func identity(extra map[string]any) map[string]any {
	s := map[string]any{"nameserver": []string{"10.0.0.53", "1.1.1.1"}, "searchdomain": []string{"lab.example"},
		"tags": []string{"web", "prod"}, "protection": true, "description": "Web front end.\nOwner: ops team\n",
		"features": []string{"base_setup"}}
	for k, v := range extra {
		s[k] = v
	}
	return s
}

// Proxmox keeps the DNS lists space-separated, the tags as a sorted set,
// protection as 1 and the notes as the '#' lines above phoenix_lxc's
// records. A rerun changes nothing; reordered tags are no change; changed
// notes are one set that keeps the records.
func TestDNSTagsProtectionAndNotesConverge(t *testing.T) {
	h := newHost(t)
	res := h.run(map[string]any{"config_file": h.oneContainer(identity(nil))})
	require.Equal(t, false, res["failed"], res["msg"])
	c := h.conf("900")
	for _, want := range []string{"nameserver: 10.0.0.53 1.1.1.1\n", "searchdomain: lab.example\n", "tags: prod;web\n", "protection: 1\n"} {
		assert.Contains(t, c, want)
	}
	assert.True(t, strings.HasPrefix(c, "#Web front end.\n#Owner%3A ops team\n#phoenix_lxc%3A feature%3Abase_setup="), c)

	for _, extra := range []map[string]any{nil, {"tags": []string{"prod", "WEB"}}} {
		h.resetLog()
		res = h.run(map[string]any{"config_file": h.oneContainer(identity(extra))})
		assert.Equal(t, false, res["changed"], "%v: %v", extra, actions(res))
		assert.Empty(t, h.mutations(), "%v", extra)
	}

	h.resetLog()
	res = h.run(map[string]any{"config_file": h.oneContainer(identity(map[string]any{"description": "Web front end, moved.\n"}))})
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Len(t, h.mutations(), 1, "one set")
	c = h.conf("900")
	assert.True(t, strings.HasPrefix(c, "#Web front end, moved.\n#phoenix_lxc%3A feature%3Abase_setup="), c)
}

// A protected container is neither destroyed nor has its mount points
// changed: both fail before anything changes, in check mode too, naming
// protection. protection: false in the same spec is applied first.
func TestProtectionIsLiftedOnlyByTheSpec(t *testing.T) {
	h := newHost(t)
	vol := volume(filepath.Join(h.vols, "data"))
	spec := identity(vol)
	res := h.run(map[string]any{"config_file": h.oneContainer(spec)})
	require.Equal(t, false, res["failed"], res["msg"])

	readOnly := identity(map[string]any{"shared_volumes": []map[string]any{{"host_path": filepath.Join(h.vols, "data"), "mount_path": "/data", "owner": "1000:1000", "read_only": true}}})
	h.refused(h.oneContainer(readOnly), "CT 900 is protected (protection: 1), and Proxmox refuses to change its mount point mp0")
	for _, args := range []map[string]any{{"config_file": h.oneContainer(spec)}, {"config_file": nil, "ctid": 900, "ctids": nil}} {
		for _, check := range []bool{true, false} {
			h.resetLog()
			args["state"], args["_ansible_check_mode"] = "absent", check
			res = h.run(args)
			require.Equal(t, true, res["failed"], "%v", args)
			assert.Contains(t, res["msg"], "CT 900 is protected (protection: 1), and Proxmox refuses to destroy it")
			assert.Empty(t, h.mutations())
		}
	}

	lifted := identity(map[string]any{"protection": false})
	for _, check := range []bool{true, false} {
		h.resetLog()
		res = h.run(map[string]any{"config_file": h.oneContainer(lifted), "state": "absent", "_ansible_check_mode": check})
		require.Equal(t, false, res["failed"], res["msg"])
		cmds := strings.Join(actions(res), "\n")
		assert.Regexp(t, `(?s)pct set 900 --protection 0.*pct destroy 900`, cmds, "lifted first")
	}
	_, err := os.Stat(filepath.Join(h.root, "etc/pve/lxc/900.conf"))
	assert.True(t, os.IsNotExist(err), "destroyed")
}

// A note cannot fake a record: a line that starts as phoenix_lxc's own is
// refused at validation.
func TestANoteCannotFakeARecord(t *testing.T) {
	h := newHost(t)
	h.refused(h.oneContainer(map[string]any{"description": "ok\n phoenix_lxc: feature:docker=sha256:0\n"}), "line 2 starts with \"phoenix_lxc:\"")
}
