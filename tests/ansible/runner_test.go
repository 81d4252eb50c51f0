package ansible

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// awxJob is one ansible-runner run of a private data dir, as AWX runs a job:
// the events it wrote and the folder of its artifacts.
type awxJob struct {
	err       error
	stdout    string
	events    []map[string]any
	artifacts string
}

// TestAWXJobThroughAnsibleRunner runs the collection's site.yml the way AWX
// runs a job template: ansible-runner on a private data dir whose project
// holds the playbook and, in project/collections, the installed collection;
// the inventory and the extra vars (what a survey sets) are files of the
// data dir. A normal job converges, a check job (a changed spec) writes
// nothing, a --diff job applies it with the config diff. The module's
// result must come back in the job events, and no artifact may hold the
// secrets: a password in the config file and one given inline.
func TestAWXJobThroughAnsibleRunner(t *testing.T) {
	if _, err := exec.LookPath("ansible-runner"); err != nil {
		t.Skip("ansible-runner is not installed (apt-get install python3-ansible-runner)")
	}
	n := newNode(t)
	const inFile, inline = "Config-File-S3cret", "Inline-Survey-S3cret"
	pdd := filepath.Join(n.dir, "awx")
	n.write("awx/project/site.yml", `---
# An AWX project: the collection's playbook, then one task with a secret inline.
- name: The collection's site playbook
  ansible.builtin.import_playbook: phoenix.hypervisor.site

- name: A container given inline
  hosts: "{{ phoenix_hosts }}"
  gather_facts: false
  tasks:
    - name: Dry run of an inline container with a password
      phoenix.hypervisor.phoenix_lxc:
        ctid: 905
        backend: pct
        node: pve
        container:
          name: inline
          template: local:vztmpl/debian-12.tar.zst
          password: "{{ inline_password }}"
      environment: "{{ phoenix_lxc_environment }}"
      check_mode: true
`, 0o644)
	runStepT(t, "ansible-galaxy", "collection", "install", "--force", "-p", filepath.Join(pdd, "project", "collections"), tarball)
	n.write("awx/inventory/hosts", "[proxmox]\nlocalhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n", 0o644)
	writeSpec := func(memory int) {
		n.fleet(memory)
		data, err := os.ReadFile(filepath.Join(n.dir, "fleet.json"))
		require.NoError(t, err)
		withPassword := strings.Replace(string(data), `"name": "app",`, `"name": "app", "password": "`+inFile+`",`, 1)
		require.NotEqual(t, string(data), withPassword)
		n.write("fleet.json", withPassword, 0o644)
	}
	extra := map[string]any{"phoenix_hosts": "proxmox", "inline_password": inline}
	for k, v := range n.vars {
		extra[k] = v
	}
	data, err := json.Marshal(extra)
	require.NoError(t, err)
	n.write("awx/env/extravars", string(data), 0o600)

	job := func(ident string, cmdline ...string) awxJob {
		args := []string{"run", pdd, "-p", "site.yml", "--ident", ident}
		if len(cmdline) > 0 {
			args = append(args, "--cmdline="+strings.Join(cmdline, " "))
		}
		cmd := exec.Command("ansible-runner", args...)
		cmd.Env = append(os.Environ(), "ANSIBLE_NOCOLOR=1")
		out, err := cmd.CombinedOutput()
		j := awxJob{err: err, stdout: string(out), artifacts: filepath.Join(pdd, "artifacts", ident)}
		files, _ := filepath.Glob(filepath.Join(j.artifacts, "job_events", "*.json"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			var ev map[string]any
			require.NoError(t, json.Unmarshal(data, &ev), f)
			j.events = append(j.events, ev)
		}
		return j
	}
	// moduleResult is the res of the event that reports the role's module task.
	moduleResult := func(j awxJob) map[string]any {
		for _, ev := range j.events {
			d, _ := ev["event_data"].(map[string]any)
			if ev["event"] == "runner_on_ok" && d["task"] == "Converge the containers" {
				return d["res"].(map[string]any)
			}
		}
		t.Fatalf("no runner_on_ok event of the module task among %d events:\n%s", len(j.events), j.stdout)
		return nil
	}
	noSecret := func(j awxJob) {
		t.Helper()
		require.DirExists(t, j.artifacts)
		for _, s := range []string{inFile, inline} {
			assertNoFileHolds(t, j.artifacts, s)
			assert.NotContains(t, j.stdout, s)
		}
	}

	writeSpec(2048)
	normal := job("normal")
	require.NoError(t, normal.err, normal.stdout)
	res := moduleResult(normal)
	assert.Equal(t, true, res["changed"], res)
	assert.Len(t, res["containers"], 2, "the module's result is in the job events")
	assert.NotEmpty(t, n.mutations())
	noSecret(normal)

	before := n.confs()
	writeSpec(4096)
	check := job("check", "--check")
	require.NoError(t, check.err, check.stdout)
	assert.Equal(t, true, moduleResult(check)["changed"], "check mode reports the change it would make")
	assert.Empty(t, n.mutations(), "a check job writes nothing")
	assert.Equal(t, before, n.confs())
	noSecret(check)

	diff := job("diff", "--diff")
	require.NoError(t, diff.err, diff.stdout)
	res = moduleResult(diff)
	assert.Equal(t, true, res["changed"])
	diffs := mustJSON(t, res["diff"])
	assert.Contains(t, diffs, `memory: 2048\n`, "the diff (before and after) is in the job event")
	assert.Contains(t, diffs, `memory: 4096\n`, "the diff (before and after) is in the job event")
	assert.Regexp(t, `(?m)^\+memory: 4096\r?$`, diff.stdout, "and in the job's stdout")
	assert.NotEmpty(t, n.mutations())
	noSecret(diff)
	assert.True(t, bytes.Contains([]byte(mustJSON(t, diff.events)), []byte("VALUE_SPECIFIED_IN_NO_LOG_PARAMETER")),
		"the inline task's invocation is masked, not dropped")
}

func runStepT(t *testing.T, argv ...string) {
	t.Helper()
	require.NoError(t, runStep(argv))
}
