package module

// Issue 14: destroy by CTID alone, ctids as a comma string, and an Ansible
// result whose msg is not buried.

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The full configs come only with diff or verbosity 2, for one container
// and for a fleet.
func TestConfigOnlyUnderDiffOrVerbosity2(t *testing.T) {
	fleet := map[string]string{"fleet.json": `{"lxc_configs": {"9100": {"name": "web", "template": "local:vztmpl/debian.tar.zst"}}}`}
	for _, c := range []struct {
		extra string
		want  bool
	}{{"", false}, {`, "_ansible_verbosity": 1`, false}, {`, "_ansible_verbosity": 2`, true}, {`, "_ansible_diff": true`, true}} {
		f := &fake{result: okResult()}
		single, _, _ := runArgs(t, inline(c.extra), nil, f.deps())
		_, has := single["config"]
		assert.Equal(t, c.want, has, "ctid%s", c.extra)

		many, _, _ := runArgs(t, `{"ctids": [9100], "config_file": "@DIR@/fleet.json"`+c.extra+`}`, fleet, f.deps())
		cs := many["containers"].([]any)
		require.Len(t, cs, 1, many)
		_, has = cs[0].(map[string]any)["config"]
		assert.Equal(t, c.want, has, "ctids%s", c.extra)
	}
}

// The raw answer starts with msg, then failed and changed.
func TestMsgComesFirst(t *testing.T) {
	f := &fake{result: okResult()}
	path := filepath.Join(t.TempDir(), "args")
	require.NoError(t, os.WriteFile(path, []byte(inline("")), 0o600))
	var stdout, stderr bytes.Buffer
	Module(context.Background(), path, &stdout, &stderr, f.deps())
	assert.True(t, strings.HasPrefix(stdout.String(), `{"msg":"converged; password ********","failed":false,"changed":true,"actions":`), stdout.String())
	oneObject(t, stdout.Bytes())
}

// state absent needs no spec: ctid or ctids alone, the latter also as a
// comma string, are destroyed one at a time in the order given.
func TestAbsentByCTIDsAlone(t *testing.T) {
	f := &fake{}
	obj, code, _ := runArgs(t, `{"ctids": "9101, 9100", "state": "absent"}`, nil, f.deps())
	require.Equal(t, 0, code, obj)
	require.NotNil(t, f.req)
	assert.Equal(t, []int{9101, 9100}, f.req.Targets)
	assert.True(t, f.req.NoSpec)
	assert.Equal(t, "absent", f.req.State)
	assert.Len(t, f.req.Fleet, 2)

	f = &fake{}
	obj, code, _ = runArgs(t, `{"ctid": 9100, "state": "absent"}`, nil, f.deps())
	require.Equal(t, 0, code, obj)
	assert.Equal(t, []int{9100}, f.req.Targets)

	for args, want := range map[string]string{
		`{"ctid": 9100}`:                           "invalid input: config_file: is required unless container is given",
		`{"ctids": "all", "state": "absent"}`:      "invalid input: ctids: all means every container of config_file, and none is given: list the CTIDs",
		`{"ctids": "9100,abc", "state": "absent"}`: "invalid input: ctids.1: must be a container ID (100..999999999), as a number or a string of digits.",
		`{"ctids": "seven", "state": "absent"}`:    "invalid input: ctids: must be containers to converge: a list of CTIDs, a comma-separated string of them (7030,7031), or the string all (every container of config_file).",
		`{"ctids": [50], "state": "absent"}`:       "invalid input: ctids.0: must be a container ID (100..999999999), as a number or a string of digits.",
	} {
		f := &fake{}
		obj, code, _ := runArgs(t, args, nil, f.deps())
		assert.Equal(t, 1, code, args)
		assert.True(t, strings.HasPrefix(obj["msg"].(string), want), "%s: %s", args, obj["msg"])
		assert.NotContains(t, obj["msg"], "problems", "one reason: %s", args)
		assert.Nil(t, f.req, "nothing converged")
	}
}
