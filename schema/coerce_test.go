package schema

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ansible templates yield strings; the module takes them as its typed
// options the way Ansible's own modules do.
func TestTemplatedStringsAreCoercedLikeAnsible(t *testing.T) {
	o, ps := ParseArgs(map[string]any{
		"ctid": "9100", "allow_restart": "yes", "command_timeout": " 30 ",
		"container": map[string]any{"name": "web", "template": "local:vztmpl/debian.tar.zst", "memory_mb": "512",
			"unprivileged": "true", "start_at_boot": "no"},
	})
	require.Empty(t, ps)
	assert.Equal(t, 9100, *o.CTID)
	assert.True(t, o.AllowRestart)
	assert.Equal(t, 30, o.CommandTimeout)
	assert.Equal(t, 512, o.Container.MemoryMB)
	assert.True(t, *o.Container.Unprivileged)
	assert.False(t, *o.Container.StartAtBoot)

	_, ps = ParseArgs(map[string]any{"ctid": "91x", "config_file": "/x.json"})
	require.NotEmpty(t, ps, "a string that is not a number is still refused")
	assert.Contains(t, ps.Error(), "ctid")
}
