package schema

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestApplicationSettingsPassAndTyposDoNot(t *testing.T) {
	ok := []byte(`{"lxc_configs": {"950": {"name": "a", "template": "t", "vllm_model": "m", "vllm_extra_flag": {"x": [1]}, "app_port": 8080}}}`)
	_, _, ps := ParseConfig(ok)
	require.Empty(t, ps)

	_, _, ps = ParseConfig([]byte(`{"lxc_configs": {"950": {"name": "a", "template": "t", "vllm_port": "eighty"}}}`))
	require.NotEmpty(t, ps, "declared settings keep their types")
	assert.Contains(t, ps.Error(), "lxc_configs.950.vllm_port")

	_, _, ps = ParseConfig([]byte(`{"lxc_configs": {"950": {"name": "a", "template": "t", "memroy_mb": 512}}}`))
	require.NotEmpty(t, ps)
	assert.Contains(t, ps.Error(), "memory_mb", "an unknown key still gets its did-you-mean")
}
