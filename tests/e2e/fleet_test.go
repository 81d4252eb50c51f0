package e2e

// The fleet engine (issue 11) on the pct emulator, with the shared fixture
// fleet: 13 containers, 4 deep (900 -> 901 -> 920 -> 950), GPUs, features
// and application scripts.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/phoenix-hypervisor/phoenix_lxc/tests/fixturenode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sharedFixtures = "../../../shared/fixtures/phoenix"

// fixtureHost lays out an emulated node for the fixture fleet, copied
// unchanged (see fixturenode). Each script appends a line to log.txt.
func fixtureHost(t *testing.T) (*host, string) {
	src := filepath.Join(sharedFixtures, "phoenix_lxc_configs.json")
	data, err := os.ReadFile(src)
	require.NoError(t, err, "the shared fixtures must be at %s (../shared beside the clone)", sharedFixtures)
	h := newHost(t)
	h.write("fixture.json", string(data), 0o644)
	fleet, err := fixturenode.Load(src)
	require.NoError(t, err)
	require.NoError(t, fixturenode.Lay(fleet, h.root, h.scripts, filepath.Join(h.dir, "log.txt")))
	return h, filepath.Join(h.dir, "fixture.json")
}

// maskHashes hides the script hashes of the records in confs.
func maskHashes(confs map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range confs {
		out[k] = hashRe.ReplaceAllString(v, "sha256%3A-")
	}
	return out
}

var hashRe = regexp.MustCompile(`sha256%3A[0-9a-f]{64}`)

// byCTID indexes a result's containers.
func byCTID(res map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	cs, _ := res["containers"].([]any)
	for _, c := range cs {
		m := c.(map[string]any)
		out[fmt.Sprint(m["ctid"])] = m
	}
	return out
}

func ctidsOf(res map[string]any) []string {
	var out []string
	cs, _ := res["containers"].([]any)
	for _, c := range cs {
		out = append(out, fmt.Sprint(c.(map[string]any)["ctid"]))
	}
	return out
}

// The fixture fleet converges four at a time, lists its containers in
// dependency order, and its rerun costs no pct call at all.
func TestFixtureFleetConvergesInParallel(t *testing.T) {
	h, cfg := fixtureHost(t)
	res := h.run(map[string]any{"config_file": cfg, "parallel": 4})
	require.Equal(t, false, res["failed"], res["msg"])
	order := ctidsOf(res)
	require.Len(t, order, 13)
	pos := map[string]int{}
	for i, id := range order {
		pos[id] = i
	}
	for _, pair := range [][2]string{{"900", "901"}, {"900", "902"}, {"901", "920"}, {"920", "950"}, {"902", "952"}, {"902", "910"}} {
		assert.Less(t, pos[pair[0]], pos[pair[1]], "%s before %s in %v", pair[0], pair[1], order)
	}
	log, err := os.ReadFile(filepath.Join(h.dir, "log.txt"))
	require.NoError(t, err)
	assert.Equal(t, 8, strings.Count(string(log), "app "), "every application script ran once: %s", log)

	// A feature runs only where the container's own records lack it: a
	// clone's snapshot carries the records of what its template ran.
	fleet, err := fixturenode.Load(filepath.Join(sharedFixtures, "phoenix_lxc_configs.json"))
	require.NoError(t, err)
	want := map[string]bool{}
	for id, c := range fleet {
		inherited := map[string]bool{}
		for src := c.Source(); src != 0; src = fleet[src].Source() {
			for _, f := range fleet[src].Features {
				inherited[f] = true
			}
		}
		for _, f := range c.Features {
			if !inherited[f] {
				want[fmt.Sprintf("%s %d", f, id)] = true
			}
		}
	}
	ran := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(log)), "\n") {
		if !strings.HasPrefix(l, "app ") {
			assert.False(t, ran[l], "%q ran twice", l)
			ran[l] = true
		}
	}
	assert.Equal(t, want, ran, "feature runs")

	h.resetLog()
	again := h.run(map[string]any{"config_file": cfg, "parallel": 4})
	require.Equal(t, false, again["failed"], again["msg"])
	assert.Equal(t, false, again["changed"], actions(again))
	assert.Empty(t, h.pctCalls(), "a converged fleet costs no pct call")
}

// An application script failing on 952 (which nothing depends on) fails
// 952 alone: every other container converges, the result says which
// failed, and the task fails. A failing template skips exactly its
// descendants, naming the failed one.
func TestFailureIsolatesItsDependants(t *testing.T) {
	h, cfg := fixtureHost(t)
	h.write("scripts/phoenix_hypervisor_lxc_952.sh", "#!/bin/sh\necho boom >&2\nexit 3\n", 0o755)
	res := h.run(map[string]any{"config_file": cfg})
	require.Equal(t, true, res["failed"])
	cs := byCTID(res)
	for id, c := range cs {
		if id == "952" {
			assert.Equal(t, "failed", c["status"])
			continue
		}
		assert.Equal(t, "changed", c["status"], "%s: %v", id, c["msg"])
	}
	assert.Contains(t, res["msg"], "CT 952 failed at step application")
	assert.Contains(t, res["msg"], "Failed: 952. Skipped: none.")

	// 901 fails at define (its template's snapshot is gone): 920, 950, 951,
	// 955 and 957 descend from it and are skipped; 902's branch is done.
	g, cfg := fixtureHost(t)
	res = g.run(map[string]any{"config_file": cfg, "ctids": []int{900}})
	require.Equal(t, false, res["failed"], res["msg"])
	g.write("scripts/phoenix_hypervisor_feature_install_nvidia.sh", "#!/bin/sh\nexit 1\n", 0o755)
	res = g.run(map[string]any{"config_file": cfg})
	require.Equal(t, true, res["failed"])
	cs = byCTID(res)
	assert.Equal(t, "failed", cs["901"]["status"], cs["901"]["msg"])
	for _, id := range []string{"920", "950", "951", "955", "957"} {
		assert.Equal(t, "skipped", cs[id]["status"], id)
	}
	assert.Contains(t, cs["920"]["msg"], "it needs CT 901, which failed")
	assert.Contains(t, cs["950"]["msg"], "it needs CT 920, which was not run")
	assert.EqualValues(t, 901, cs["920"]["blocked_by"])
	assert.EqualValues(t, 920, cs["950"]["blocked_by"], "skipped because its own source was")
	for _, id := range []string{"900", "902", "910", "952", "953", "954", "956"} {
		assert.NotEqual(t, "failed", cs[id]["status"], id)
		assert.NotEqual(t, "skipped", cs[id]["status"], id)
	}
}

// fail_fast starts nothing after the first failure.
func TestFailFastStartsNothingAfterAFailure(t *testing.T) {
	h, cfg := fixtureHost(t)
	h.write("scripts/phoenix_hypervisor_feature_install_base_setup.sh", "#!/bin/sh\nexit 1\n", 0o755)
	res := h.run(map[string]any{"config_file": cfg, "fail_fast": true, "ctids": []int{900, 953, 902}})
	require.Equal(t, true, res["failed"])
	cs := byCTID(res)
	assert.Equal(t, "failed", cs["900"]["status"])
	assert.Equal(t, "skipped", cs["902"]["status"])
}

// In check mode every container is planned, and every problem of the fleet
// is named in one run: a GPU device node missing (901, whose clones are
// then skipped), and the application scripts of 953 and 954 missing.
func TestCheckModeNamesEveryProblemAtOnce(t *testing.T) {
	h, cfg := fixtureHost(t)
	require.NoError(t, os.Remove(filepath.Join(h.root, "dev/nvidia1")))
	for _, id := range []string{"953", "954"} {
		require.NoError(t, os.Remove(filepath.Join(h.scripts, "phoenix_hypervisor_lxc_"+id+".sh")))
	}
	res := h.run(map[string]any{"config_file": cfg, "_ansible_check_mode": true})
	require.Equal(t, true, res["failed"])
	cs := byCTID(res)
	var failed []string
	for id, c := range cs {
		if c["status"] == "failed" {
			failed = append(failed, id)
		}
	}
	sort.Strings(failed)
	assert.Equal(t, []string{"901", "953", "954"}, failed, "every independent problem, in one dry run")
	assert.Contains(t, cs["901"]["msg"], "nvidia1")
	assert.Contains(t, cs["953"]["msg"], "phoenix_hypervisor_lxc_953.sh")
	assert.Contains(t, cs["954"]["msg"], "phoenix_hypervisor_lxc_954.sh")
	for _, id := range []string{"920", "950", "951", "955", "957"} {
		assert.Equal(t, "skipped", cs[id]["status"], "%s descends from 901", id)
	}
	for _, id := range []string{"902", "910", "952", "956"} {
		assert.Equal(t, "changed", cs[id]["status"], "%s is planned: %v", id, cs[id]["msg"])
	}
	assert.Empty(t, h.mutations(), "check mode changes nothing")
}

// Three runs on overlapping fleets at once all succeed and end as one
// clean run: one create or clone per container.
func TestThreeOverlappingRunsEndAsOneRun(t *testing.T) {
	clean, cleanCfg := fixtureHost(t)
	require.Equal(t, false, clean.run(map[string]any{"config_file": cleanCfg})["failed"])
	want := clean.confs()

	h, cfg := fixtureHost(t)
	// Each set names the sources it clones from: a run does not wait for
	// a container it was not asked to converge.
	sets := []any{"all", []int{900, 901, 920, 950, 951}, []int{900, 902, 910, 952, 953, 954}}
	var wg sync.WaitGroup
	results := make([]map[string]any, len(sets))
	for i, set := range sets {
		_, wait := h.start(fmt.Sprintf("run%d", i), map[string]any{"config_file": cfg, "ctids": set, "parallel": 3})
		wg.Add(1)
		go func(i int) { defer wg.Done(); results[i], _, _ = wait() }(i)
	}
	wg.Wait()
	for i, r := range results {
		require.Equal(t, false, r["failed"], "run %d: %v", i, r["msg"])
	}
	assert.Equal(t, maskHashes(want), maskHashes(h.confs()), "the scripts' hashes differ: they name their host's folder")
	count := map[string]int{}
	for _, c := range h.mutations() {
		if f := strings.Fields(c); len(f) >= 3 && (f[0] == "create" || f[0] == "clone") {
			count[f[0]+" "+f[len(f)-1]]++
			if f[0] == "clone" {
				count["into "+f[2]]++
			} else {
				count["into "+f[1]]++
			}
		}
	}
	for _, id := range []string{"900", "901", "902", "910", "920", "950", "951", "952", "953", "954", "955", "956", "957"} {
		assert.Equal(t, 1, count["into "+id], "one create or clone of %s", id)
	}
}

// A run that observed before another run finished a container (it waited
// for that container's lock) acts on what is there when it gets the lock:
// no second clone, nothing to change.
func TestAContainerFinishedByAnotherRunWhileWaitingIsLeftAlone(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	require.Equal(t, false, h.run(map[string]any{"config_file": cfg, "ctids": []int{900}})["failed"])
	require.NoError(t, os.MkdirAll(h.locks, 0o755))
	lock, err := os.OpenFile(filepath.Join(h.locks, "901.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	require.NoError(t, err)
	defer lock.Close()
	require.NoError(t, syscall.Flock(int(lock.Fd()), syscall.LOCK_EX))
	_, wait := h.start("waiting", map[string]any{"config_file": cfg, "ctids": []int{901}})
	time.Sleep(300 * time.Millisecond) // the waiting run has observed and sits on 901's lock
	other := t.TempDir()
	require.Equal(t, false, h.run(map[string]any{"config_file": cfg, "ctids": []int{901}}, "PHOENIX_LXC_LOCK_DIR="+other)["failed"])
	h.resetLog()
	require.NoError(t, syscall.Flock(int(lock.Fd()), syscall.LOCK_UN))
	res, _, _ := wait()
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Equal(t, false, res["changed"], actions(res))
	assert.Empty(t, h.mutations())
}
