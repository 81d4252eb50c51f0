package module

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pipeline"
)

const secretPw = "s3cret-Pa55word"
const secretKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsecretkeyblobforTesting0123456789 me@host"

// inline is a valid inline-container task with both kinds of secret.
func inline(extra string) string {
	return `{"ctid": 9100, "container": {"name": "web", "template": "local:vztmpl/debian.tar.zst",
	  "password": "` + secretPw + `", "ssh_public_keys": ["` + secretKey + `"]}` + extra + `}`
}

func okResult() pipeline.Result {
	return pipeline.Result{Changed: true, Msg: "converged; password " + secretPw, Containers: []pipeline.ContainerResult{{
		CTID: 9100, Name: "web", Changed: true, Msg: "created",
		Actions: []pipeline.ActionResult{{Step: "define", Action: "create", Command: "pct create 9100 --password " + secretPw, Changed: true, Done: true}},
		Idmap:   []string{"u 0 100000 65536", "g 0 100000 65536"},
		Config:  "hostname: web\n",
		Diff:    &pipeline.Diff{Before: "", After: "hostname: web\nkey: " + secretKey, BeforeHeader: "9100 (before)", AfterHeader: "9100 (after)"},
	}}}
}

func TestNormalModeShapesOneContainerAndMasksSecrets(t *testing.T) {
	f := &fake{result: okResult()}
	obj, code, stderr := runArgs(t, inline(`, "_ansible_check_mode": false, "_ansible_some_future_key": {"x": 1}`), nil, f.deps())
	require.Equal(t, 0, code, obj)
	assert.Equal(t, true, obj["changed"])
	assert.Equal(t, false, obj["failed"])
	assert.Equal(t, json.Number("9100"), obj["ctid"])
	assert.NotNil(t, obj["actions"])
	assert.Nil(t, obj["diff"], "diff only under _ansible_diff")
	assert.Empty(t, stderr, "no progress without verbosity")
	require.NotNil(t, f.req)
	assert.False(t, f.req.CheckMode)
	assert.Equal(t, []int{9100}, f.req.Targets)
	assert.Equal(t, "present", f.req.State)
	assert.Equal(t, "pve1", f.req.Node)
	assert.Equal(t, DefaultScriptDir, f.req.FeatureScriptDir)
	assert.Equal(t, LockDir, f.req.LockDir)
	assert.Equal(t, secretPw, f.req.Fleet[9100].Password, "the pipeline gets the real secret")

	args := obj["invocation"].(map[string]any)["module_args"].(map[string]any)
	c := args["container"].(map[string]any)
	assert.Equal(t, NoLogValue, c["password"])
	assert.Equal(t, []any{NoLogValue}, c["ssh_public_keys"])
	assert.Equal(t, "web", c["name"])
	_, hasAnsible := args["_ansible_some_future_key"]
	assert.False(t, hasAnsible)
	raw, _ := json.Marshal(obj)
	assert.NotContains(t, string(raw), secretPw)
	assert.NotContains(t, string(raw), "AAAAC3NzaC1lZDI1NTE5AAAAIHsecretkeyblobforTesting0123456789")
}

func TestCheckModeReachesThePipeline(t *testing.T) {
	f := &fake{result: okResult()}
	_, code, _ := runArgs(t, inline(`, "_ansible_check_mode": true`), nil, f.deps())
	require.Equal(t, 0, code)
	assert.True(t, f.req.CheckMode)
	assert.False(t, f.req.Diff)
}

func TestDiffModeReturnsDiffWithoutSecrets(t *testing.T) {
	f := &fake{result: okResult()}
	obj, _, _ := runArgs(t, inline(`, "_ansible_diff": true`), nil, f.deps())
	assert.True(t, f.req.Diff)
	d := obj["diff"].(map[string]any)
	assert.Equal(t, "9100 (after)", d["after_header"])
	assert.Contains(t, d["after"], "hostname: web")
	assert.NotContains(t, d["after"], "AAAAC3NzaC1lZDI1NTE5AAAAIHsecretkeyblobforTesting0123456789")
}

func TestVerbosityLogsProgressToStderrOnly(t *testing.T) {
	f := &fake{result: okResult()}
	runArgs(t, inline(`, "_ansible_verbosity": 2`), nil, f.deps())
	assert.NotNil(t, f.req.Log, "verbosity >= 1 gives the pipeline a progress writer")
	f2 := &fake{result: okResult()}
	runArgs(t, inline(`, "_ansible_verbosity": 0`), nil, f2.deps())
	assert.Nil(t, f2.req.Log)
}

func TestNoLogMasksEveryArgument(t *testing.T) {
	f := &fake{result: okResult()}
	obj, code, _ := runArgs(t, inline(`, "_ansible_no_log": true, "_ansible_verbosity": 3`), nil, f.deps())
	require.Equal(t, 0, code)
	args := obj["invocation"].(map[string]any)["module_args"].(map[string]any)
	assert.Equal(t, NoLogValue, args["container"].(map[string]any)["name"])
	assert.Equal(t, NoLogValue, args["ctid"])
	assert.Nil(t, f.req.Log, "no progress output under no_log")
}

func TestFleetShapeForCtids(t *testing.T) {
	f := &fake{result: pipeline.Result{Changed: true, Containers: []pipeline.ContainerResult{
		{CTID: 9000, Diff: &pipeline.Diff{After: "a"}}, {CTID: 9100, Diff: &pipeline.Diff{After: "b"}}}}}
	obj, code, _ := runArgs(t, `{"ctids": "all", "config_file": "../testdata/fleet.json", "_ansible_diff": true}`, nil, f.deps())
	require.Equal(t, 0, code, obj)
	assert.Equal(t, []int{9000, 9100, 9101}, f.req.Targets)
	assert.Len(t, obj["containers"], 2)
	assert.Len(t, obj["diff"], 2)
	assert.Nil(t, obj["ctid"])
}

func TestPipelineFailureExitsOne(t *testing.T) {
	f := &fake{result: pipeline.Result{Failed: true, Msg: "start: command failed (exit 1): pct start 9100"}}
	obj, code, _ := runArgs(t, inline(""), nil, f.deps())
	assert.Equal(t, 1, code)
	assert.Equal(t, true, obj["failed"])
	assert.Contains(t, obj["msg"], "pct start 9100")
}

func TestPanicIsReportedAsOneJSONFailure(t *testing.T) {
	d := (&fake{}).deps()
	d.Converge = func(_ context.Context, _ pipeline.Request) pipeline.Result { panic("boom " + secretPw) }
	obj, code, _ := runArgs(t, inline(""), nil, d)
	assert.Equal(t, 1, code)
	assert.Equal(t, true, obj["failed"])
	assert.Contains(t, obj["msg"], "while converging")
	assert.NotContains(t, obj["msg"], secretPw)
}

func TestBackendErrorFails(t *testing.T) {
	f := &fake{openErr: errors.New("pct not found")}
	obj, code, _ := runArgs(t, inline(""), nil, f.deps())
	assert.Equal(t, 1, code)
	assert.True(t, strings.Contains(obj["msg"].(string), "backend auto: pct not found"), obj["msg"])
}

// The environment is read in one place, ReadHost: every setting a test
// can point elsewhere, and the defaults of a real node.
func TestTheHostIsReadFromTheEnvironmentOnce(t *testing.T) {
	for _, k := range []string{"PHOENIX_LXC_PCT", "PHOENIX_LXC_PVE_ROOT", "PHOENIX_LXC_LXCPATH", "PHOENIX_LXC_SUBUID", "PHOENIX_LXC_SUBGID", "PHOENIX_LXC_LOCK_DIR", "PHOENIX_LXC_FSTAB"} {
		t.Setenv(k, "")
	}
	assert.Equal(t, Host{Pct: "/usr/sbin/pct", PveRoot: "/", LXCPath: "/var/lib/lxc", SubUID: "/etc/subuid", SubGID: "/etc/subgid",
		LockDir: "/run/lock/phoenix_lxc", Fstab: "/etc/fstab"}, ReadHost())
	t.Setenv("PHOENIX_LXC_PVE_ROOT", "/tmp/node")
	t.Setenv("PHOENIX_LXC_SUBUID", "/tmp/subuid")
	h := ReadHost()
	assert.Equal(t, "/tmp/node", h.PveRoot)
	assert.Equal(t, "/tmp/subuid", h.SubUID)
}
