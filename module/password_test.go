package module

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pipeline"
)

// A password given as a crypt(3) hash is as secret as the password: masked
// in the invocation and scrubbed from everything else the module prints.
func TestPasswordHashIsMaskedLikeThePassword(t *testing.T) {
	const hash = "$6$Rh/OHeJ6rjvY87TH$of/fDIRbz5vmfxHt1eyQhfQ0zqb7kYkkLH2MI4o.M1rldOql4HHwafXbY7BTRCm1/JB0ka82VV6nltq1FivsU0"
	args := `{"ctid": 9100, "_ansible_diff": true, "container": {"name": "web", "template": "local:vztmpl/debian.tar.zst", "password": "` + hash + `"}}`
	f := &fake{result: pipeline.Result{Changed: true, Msg: "hash " + hash, Containers: []pipeline.ContainerResult{{
		CTID: 9100, Name: "web", Changed: true, Warnings: []string{"saw " + hash},
		Diff: &pipeline.Diff{After: "x: " + hash},
	}}}}
	obj, code, stderr := runArgs(t, args, nil, f.deps())
	require.Equal(t, 0, code, obj)
	assert.Equal(t, hash, f.req.Fleet[9100].Password, "the pipeline gets the hash")
	c := obj["invocation"].(map[string]any)["module_args"].(map[string]any)["container"].(map[string]any)
	assert.Equal(t, NoLogValue, c["password"])
	raw, _ := json.Marshal(obj)
	assert.NotContains(t, string(raw), "of/fDIRbz5vmfxHt1eyQhfQ0zqb7kYkkLH2MI4o")
	assert.False(t, strings.Contains(stderr, "of/fDIRbz5vmfxHt1eyQhfQ0zqb7kYkkLH2MI4o"))
}
