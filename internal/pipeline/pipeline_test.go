package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/testkit/fakerun"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

func ctid(n int) *schema.CTID { c := schema.CTID(n); return &c }

// testFleet is a template, its clone with a shared volume owned by container
// 1000:1000, and a clone of the clone.
func testFleet(t *testing.T) (map[int]*schema.Spec, string) {
	dir := t.TempDir()
	vol := filepath.Join(dir, "vol", "data")
	return map[int]*schema.Spec{
		900: {Name: "tpl", MemoryMB: 1024, Cores: 2, Template: "local:vztmpl/debian.tar.zst", TemplateSnapshotName: "base", Features: []string{"base_setup"}},
		901: {Name: "app", MemoryMB: 2048, CloneFromCTID: ctid(900), ApplicationScript: "app.sh",
			SharedVolumes: []schema.SharedVolume{{HostPath: vol, MountPath: "/data", Owner: "1000:1000", Mode: "0750"}}},
		902: {Name: "web", MemoryMB: 512, CloneFromCTID: ctid(900), Dependencies: []schema.CTID{901}},
	}, dir
}

func newRequest(t *testing.T, f *fake, fleet map[int]*schema.Spec, dir string, targets ...int) Request {
	scripts := filepath.Join(dir, "scripts")
	require.NoError(t, os.MkdirAll(scripts, 0o755))
	require.NoError(t, os.WriteFile(FeatureScript(scripts, "base_setup"), []byte("#!/bin/sh\necho base\n"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(scripts, "app.sh"), []byte("#!/bin/sh\necho app\n"), 0o755))
	return Request{Fleet: fleet, Targets: targets, State: "present", FeatureScriptDir: scripts, ApplicationScriptDir: scripts,
		LockDir: filepath.Join(dir, "locks"), LockTimeout: time.Second, Backend: f, Runner: fakerun.New(t), Log: &bytes.Buffer{},
		Grants: idmap.Grants{Lists: [2][]idmap.Grant{{{User: "root", Start: 100000, Count: 65536}}, {{User: "root", Start: 100000, Count: 65536}}}}}
}

// convergingRequest is newRequest for runs that converge 900: its
// base_setup feature, the host's only command in these tests, may run as
// often as the test makes it (at least once).
func convergingRequest(t *testing.T, f *fake, fleet map[int]*schema.Spec, dir string, targets ...int) Request {
	req := newRequest(t, f, fleet, dir, targets...)
	req.Runner.(*fakerun.Runner).Expect(fakerun.Call{Argv: FeatureScript(req.FeatureScriptDir, "base_setup") + " 900", Again: true})
	return req
}

func actionNames(res Result) []string {
	var out []string
	for _, c := range res.Containers {
		for _, a := range c.Actions {
			out = append(out, a.Step+"/"+a.Action)
		}
	}
	return out
}

func TestFleetConvergesThenRerunChangesNothing(t *testing.T) {
	fleet, dir := testFleet(t)
	f := newFake()
	req := convergingRequest(t, f, fleet, dir, 902, 901, 900)

	res := Run(context.Background(), req)
	require.False(t, res.Failed, res.Msg)
	assert.True(t, res.Changed)
	ids := []int{res.Containers[0].CTID, res.Containers[1].CTID, res.Containers[2].CTID}
	assert.Equal(t, []int{900, 901, 902}, ids, "template first, then clones in dependency order")
	assert.Contains(t, f.cts[900].snapshots, "base")
	info, err := os.Stat(fleet[901].SharedVolumes[0].HostPath)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o750), info.Mode().Perm())
	assert.Equal(t, uint32(101000), info.Sys().(*syscall.Stat_t).Uid, "owner 1000 mapped through the default map")
	assert.Equal(t, []string{"u 0 100000 65536", "g 0 100000 65536"}, res.Containers[1].Idmap)

	before := len(f.mutations)
	again := Run(context.Background(), req)
	require.False(t, again.Failed, again.Msg)
	assert.False(t, again.Changed, "second run: %v", actionNames(again))
	assert.Equal(t, before, len(f.mutations), "second run made no state-changing call")
}

func TestCheckModePlansWhatTheRealRunDoes(t *testing.T) {
	fleet, dir := testFleet(t)
	f := newFake()
	req := convergingRequest(t, f, fleet, dir, 900, 901, 902)
	req.CheckMode = true
	plan := Run(context.Background(), req)
	require.False(t, plan.Failed, plan.Msg)
	assert.True(t, plan.Changed)
	assert.Empty(t, f.mutations, "check mode changes nothing")
	_, err := os.Stat(fleet[901].SharedVolumes[0].HostPath)
	assert.True(t, os.IsNotExist(err), "check mode creates no host folder")
	_, err = os.Stat(req.LockDir)
	assert.True(t, os.IsNotExist(err), "check mode takes no lock file")

	req.CheckMode = false
	real := Run(context.Background(), req)
	require.False(t, real.Failed, real.Msg)
	assert.Equal(t, actionNames(plan), actionNames(real), "planned actions equal performed ones")
	for i, c := range plan.Containers {
		for j, a := range c.Actions {
			assert.Equal(t, a.Command, real.Containers[i].Actions[j].Command)
			assert.False(t, a.Done)
		}
	}
}

func TestGateFailsClosedBeforeAnyVolume(t *testing.T) {
	fleet, dir := testFleet(t)
	f := newFake()
	require.False(t, Run(context.Background(), convergingRequest(t, f, fleet, dir, 900)).Failed)
	f.wrongMap = true
	res := Run(context.Background(), newRequest(t, f, fleet, dir, 901, 902))
	require.True(t, res.Failed)
	assert.Equal(t, "idmap_gate", res.Containers[0].Step)
	assert.Contains(t, res.Msg, "expected [u 0 100000 65536, g 0 100000 65536]")
	assert.Contains(t, res.Msg, "200000")
	assert.Contains(t, res.Msg, "Skipped: 902 (it needs CT 901, which failed)")
	_, err := os.Stat(fleet[901].SharedVolumes[0].HostPath)
	assert.True(t, os.IsNotExist(err), "no volume was created")
	for _, m := range f.mutations {
		assert.NotContains(t, m, "mount", "no volume was mounted")
	}
}

func TestWithoutVolumesTheMapIsProvenAfterStart(t *testing.T) {
	fleet, dir := testFleet(t)
	f := newFake()
	res := Run(context.Background(), convergingRequest(t, f, fleet, dir, 900))
	require.False(t, res.Failed, res.Msg)
	assert.NotContains(t, actionNames(res), "idmap_cycle/start", "no start/stop cycle for a container without volumes")

	g := newFake()
	g.wrongMap = true
	res = Run(context.Background(), newRequest(t, g, fleet, dir, 900))
	require.True(t, res.Failed)
	assert.Equal(t, "idmap_verify", res.Containers[0].Step)
	assert.Contains(t, res.Msg, "200000")
}

func TestFeatureRunsOncePerScriptContent(t *testing.T) {
	fleet, dir := testFleet(t)
	f := newFake()
	req := newRequest(t, f, fleet, dir, 900)
	hr := req.Runner.(*fakerun.Runner)
	script := FeatureScript(req.FeatureScriptDir, "base_setup")
	hr.Expect(fakerun.Call{Argv: script + " 900"})
	require.False(t, Run(context.Background(), req).Failed)

	Run(context.Background(), req) // an unchanged script does not run again: the runner would fail the test

	require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\necho v2\n"), 0o755))
	hr.Expect(fakerun.Call{Argv: script + " 900"})
	res := Run(context.Background(), req)
	assert.True(t, res.Changed, "a changed script runs again")
	assert.Len(t, hr.Calls(), 2)
}

func TestFailureSkipsDependantsAndSaysWhatWasDone(t *testing.T) {
	fleet, dir := testFleet(t)
	f := newFake()
	req := convergingRequest(t, f, fleet, dir, 900, 901, 902)
	require.False(t, Run(context.Background(), req).Failed)
	f.cts[901].conf["memory"] = "1" // drift
	f.failAt = len(f.mutations) + 1
	res := Run(context.Background(), req)
	require.True(t, res.Failed)
	assert.Contains(t, res.Msg, "CT 901 failed at step configure")
	assert.Contains(t, res.Msg, "Done: 900")
	assert.Contains(t, res.Msg, "Failed: 901")
	assert.Contains(t, res.Msg, "Skipped: 902 (it needs CT 901, which failed)")
	assert.Equal(t, StatusSkipped, res.Containers[2].Status)
	assert.Equal(t, 901, res.Containers[2].BlockedBy)
}

func TestFaultAtEveryMutationThenRerunConverges(t *testing.T) {
	clean := newFake()
	fleet, dir := testFleet(t)
	require.False(t, Run(context.Background(), convergingRequest(t, clean, fleet, dir, 900, 901, 902)).Failed)
	total := len(clean.mutations)
	for n := 1; n <= total; n++ {
		fleet, dir := testFleet(t)
		f := newFake()
		f.failAt = n
		req := convergingRequest(t, f, fleet, dir, 900, 901, 902)
		res := Run(context.Background(), req)
		require.True(t, res.Failed, "mutation %d", n)
		f.failAt = 0
		res = Run(context.Background(), req)
		require.False(t, res.Failed, "rerun after fault %d: %s", n, res.Msg)
		for id, c := range clean.cts {
			assert.Equal(t, render(c.conf), render(f.cts[id].conf), "fault %d: CT %d conf", n, id)
			assert.Equal(t, c.snapshots, f.cts[id].snapshots, "fault %d: CT %d snapshots", n, id)
		}
	}
}

func TestOrderNamesCycles(t *testing.T) {
	fleet := map[int]*schema.Spec{
		100: {Name: "a", Dependencies: []schema.CTID{102}},
		101: {Name: "b", Dependencies: []schema.CTID{100}},
		102: {Name: "c", Dependencies: []schema.CTID{101}},
	}
	_, err := Order(fleet, []int{100, 101, 102})
	require.Error(t, err)
	assert.Equal(t, "dependency cycle: 100 -> 102 -> 101 -> 100", err.Error())
}

func TestNodePinnedElsewhereIsSkipped(t *testing.T) {
	fleet, dir := testFleet(t)
	fleet[900].Node = "pve2"
	f := newFake()
	req := newRequest(t, f, fleet, dir, 900)
	req.Node = "pve1"
	res := Run(context.Background(), req)
	assert.True(t, res.Containers[0].Skipped)
	assert.Empty(t, f.mutations)
	assert.True(t, strings.Contains(res.Msg, "pve2"))
}

func TestCloneInheritsItsSourceIdmap(t *testing.T) {
	custom := []string{"u 0 100000 1000", "g 0 100000 1000", "u 1000 1000 1", "g 1000 1000 1", "u 1001 101001 64535", "g 1001 101001 64535"}
	fleet := map[int]*schema.Spec{
		900: {Name: "tpl", Idmap: custom},
		901: {Name: "a", CloneFromCTID: ctid(900)},
		902: {Name: "b", CloneFromCTID: ctid(901)},
		903: {Name: "c", CloneFromCTID: ctid(900), Idmap: []string{"u 0 200000 65536", "g 0 200000 65536"}},
	}
	got := inheritIdmaps(fleet)
	assert.Equal(t, custom, got[901].Idmap)
	assert.Equal(t, custom, got[902].Idmap, "through a clone of a clone")
	assert.Equal(t, "u 0 200000 65536", got[903].Idmap[0], "an explicit map wins")
	assert.Empty(t, fleet[901].Idmap, "the input is not modified")
}

func TestUngrantedMapFailsBeforeAnythingIsCreated(t *testing.T) {
	fleet, dir := testFleet(t)
	fleet[900].Idmap = []string{"u 0 300000 65536", "g 0 300000 65536"}
	grants := filepath.Join(dir, "subid")
	require.NoError(t, os.WriteFile(grants, []byte("root:100000:65536\n"), 0o644))
	f := newFake()
	req := newRequest(t, f, fleet, dir, 900)
	req.Grants = idmap.ReadGrants(grants, grants)
	res := Run(context.Background(), req)
	require.True(t, res.Failed)
	assert.Equal(t, "preflight", res.Containers[0].Step)
	assert.Contains(t, res.Msg, "add root:300000:65536 to "+grants)
	assert.Empty(t, f.mutations, "nothing was created")
}

// A field the spec sets and the backend does not honour gives one warning
// naming the field and the backend's reason; gpu_assignment "none" sets
// nothing.
func TestUnhonouredFieldsAreWarnedOnce(t *testing.T) {
	b := &declaring{fake: newFake(), fields: map[string]string{"tags": "not kept here", "gpu_assignment": "not passed through"}}
	spec := &schema.Spec{Name: "x", Tags: []string{"a", "b"}, GPUAssignment: "none"}
	assert.Equal(t, []string{"tags: not kept here"}, backendWarnings(b, &backend.State{}, spec))
}

type declaring struct {
	*fake
	fields map[string]string
}

func (d *declaring) Fields() map[string]string { return d.fields }
