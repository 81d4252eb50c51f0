package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStoppedThenAbsent(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	require.Equal(t, false, h.run(map[string]any{"config_file": cfg})["failed"])

	stopped := h.run(map[string]any{"config_file": cfg, "state": "stopped"})
	require.Equal(t, false, stopped["failed"], stopped["msg"])
	assert.Equal(t, true, stopped["changed"])
	for _, id := range []string{"900", "901", "902"} {
		_, err := os.Stat(filepath.Join(h.root, "run/pctemu", id+".pid"))
		assert.True(t, os.IsNotExist(err), "CT %s stopped", id)
	}
	again := h.run(map[string]any{"config_file": cfg, "state": "stopped"})
	assert.Equal(t, false, again["changed"], actions(again))

	gone := h.run(map[string]any{"config_file": cfg, "state": "absent", "ctids": []int{901, 902}})
	require.Equal(t, false, gone["failed"], gone["msg"])
	assert.Equal(t, true, gone["changed"])
	for _, id := range []string{"901", "902"} {
		_, err := os.Stat(filepath.Join(h.root, "etc/pve/lxc", id+".conf"))
		assert.True(t, os.IsNotExist(err), "CT %s destroyed", id)
	}
	_, err := os.Stat(filepath.Join(h.vols, "data"))
	assert.NoError(t, err, "destroy leaves the shared volume's host folder alone")
	h.resetLog()
	none := h.run(map[string]any{"config_file": cfg, "state": "absent", "ctids": []int{901, 902}})
	assert.Equal(t, false, none["changed"])
	assert.Empty(t, h.mutations())
}
