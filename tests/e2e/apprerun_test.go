package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An application script runs again when what it consumes changes (its
// content, the settings it reads), not when the pipeline converges a
// resource (issue 14 point 3): raising memory_mb sets the memory and
// leaves the application alone; a new port re-runs it.
func TestApplicationRerunsOnlyOnWhatItConsumes(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	require.Equal(t, false, h.run(map[string]any{"config_file": cfg})["failed"])
	ran := func() bool {
		for _, c := range h.mutations() {
			if strings.Contains(c, "/app.sh 901") {
				return true
			}
		}
		return false
	}
	data, err := os.ReadFile(cfg)
	require.NoError(t, err)
	bigger := strings.Replace(string(data), `"memory_mb": 2048, "cores": 2`, `"memory_mb": 4096, "cores": 4`, 1)
	require.NotEqual(t, string(data), bigger)
	require.NoError(t, os.WriteFile(cfg, []byte(bigger), 0o644))
	h.resetLog()
	res := h.run(map[string]any{"config_file": cfg})
	require.Equal(t, false, res["failed"], res["msg"])
	conf, _ := os.ReadFile(filepath.Join(h.root, "etc/pve/lxc/901.conf"))
	assert.Contains(t, string(conf), "memory: 4096\n")
	assert.False(t, ran(), "more memory is no reason to reinstall the application")

	withPort := strings.Replace(bigger, `"application_script": "app.sh",`, `"application_script": "app.sh", "ports": ["8080:80"],`, 1)
	require.NotEqual(t, bigger, withPort)
	require.NoError(t, os.WriteFile(cfg, []byte(withPort), 0o644))
	h.resetLog()
	require.Equal(t, false, h.run(map[string]any{"config_file": cfg})["failed"])
	assert.True(t, ran(), "a setting the application reads re-runs it")
}
