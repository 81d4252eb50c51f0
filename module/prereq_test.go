package module

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The module checks what the role used to check in tasks of its own: root
// must hold the grant an unprivileged container's default map uses, in
// check mode too, before any backend is opened; a privileged container, a
// custom map (the pipeline's preflight checks those) and a destroy need none.
func TestDefaultMapNeedsRootsGrant(t *testing.T) {
	for name, tc := range map[string]struct {
		grants, extra string
		refused       bool
	}{
		"granted":              {"root:100000:65536\n", "", false},
		"granted in two parts": {"root:100000:1000\nroot:101000:64536\n", "", false},
		"someone else's":       {"someone:100000:65536\n", "", true},
		"too short":            {"root:100000:65535\n", "", true},
		"privileged":           {"", `, "unprivileged": false`, false},
		"custom map":           {"", `, "idmap": ["u 0 200000 65536", "g 0 200000 65536"]`, false},
	} {
		t.Run(name, func(t *testing.T) {
			f := &fake{result: okResult()}
			d := f.deps()
			dir := t.TempDir()
			d.Host.SubUID, d.Host.SubGID = filepath.Join(dir, "subuid"), filepath.Join(dir, "subgid")
			args := `{"ctid": 9100, "container": {"name": "web", "template": "local:vztmpl/debian.tar.zst"` + tc.extra + `}, "_ansible_check_mode": true}`
			require.NoError(t, os.WriteFile(d.Host.SubUID, []byte(tc.grants), 0o644))
			require.NoError(t, os.WriteFile(d.Host.SubGID, []byte(tc.grants), 0o644))
			obj, code, _ := runArgs(t, args, nil, d)
			if !tc.refused {
				assert.Equal(t, 0, code, obj)
				assert.True(t, f.opened)
				return
			}
			require.Equal(t, 1, code, obj)
			assert.False(t, f.opened, "refused before the backend is opened")
			msg := obj["msg"].(string)
			for _, want := range []string{d.Host.SubUID + " does not grant root:100000:65536", d.Host.SubGID + " does not grant root:100000:65536", "CT 9100", "echo root:100000:65536 >> " + d.Host.SubUID} {
				assert.Contains(t, msg, want)
			}
		})
	}
	f := &fake{}
	d := f.deps()
	d.Host.SubUID = filepath.Join(t.TempDir(), "missing")
	obj, code, _ := runArgs(t, `{"ctids": [9100], "state": "absent"}`, nil, d)
	assert.Equal(t, 0, code, obj)
	assert.False(t, strings.Contains(obj["msg"].(string), "subuid"), obj)
}
