package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// lxcRows: real LXC containers, converged once by phoenix_lxc, then checked
// in one ansible-playbook run (bench/lxc_playbook.yml) by phoenix_lxc and
// by community.general.lxc_container, with a stat task as the floor of any
// Ansible task. Task times come from the ansible.posix.json callback.
func lxcRows(b *bench, t *table) {
	n := 20
	if b.short {
		n = 3
	}
	if why := lxcMissing(); why != "" {
		t.skip("3. real LXC: phoenix_lxc vs community.general.lxc_container", why)
		t.skip("4. Ansible overhead: phoenix_lxc task vs ansible.builtin.stat", why)
		return
	}
	// lxc_container binds its containers in LXC's default path whatever
	// its lxc_path says (lxc.Container(name) in get_container_bind), so
	// the containers live there, under CTIDs no one else uses.
	const lxcpath, tpl = "/var/lib/lxc", 9300
	for i := 0; i < n; i++ {
		if _, err := os.Stat(filepath.Join(lxcpath, strconv.Itoa(tpl+i))); err == nil {
			t.skip("3. real LXC: phoenix_lxc vs community.general.lxc_container", fmt.Sprintf("%s/%d exists already", lxcpath, tpl+i))
			return
		}
	}
	must("lxc path", os.MkdirAll(lxcpath, 0o755))
	cfgs := map[string]any{strconv.Itoa(tpl): map[string]any{"name": "tpl", "memory_mb": 128, "cores": 1,
		"template": "lxc:busybox", "unprivileged": true, "template_snapshot_name": "base"}}
	names := []string{strconv.Itoa(tpl)}
	for i := 1; i < n; i++ {
		cfgs[strconv.Itoa(tpl+i)] = map[string]any{"name": fmt.Sprintf("c%d", i), "memory_mb": 128, "cores": 1, "clone_from_ctid": tpl}
		names = append(names, strconv.Itoa(tpl+i))
	}
	atExit(func() { destroyLXC(lxcpath, names) })
	defer destroyLXC(lxcpath, names)
	data, _ := json.Marshal(map[string]any{"lxc_configs": cfgs})
	cfg := filepath.Join(b.work, "lxc-fleet.json")
	must("lxc fleet", os.WriteFile(cfg, data, 0o644))
	args, _ := json.Marshal(map[string]any{"backend": "lxc", "config_file": cfg, "ctids": "all"})
	argsFile := filepath.Join(b.work, "lxc-args.json")
	must("lxc args", os.WriteFile(argsFile, args, 0o600))
	env := []string{"PHOENIX_LXC_LXCPATH=" + lxcpath}
	first := timeOnce(func() error { _, err := command(env, b.module, argsFile); return err })
	fmt.Fprintf(os.Stderr, "bench: first converge of %d real containers: %s\n", n, ms(first))

	// lxc_container's own config file: no network, the default id map.
	lxcConf := filepath.Join(b.work, "lxc_container.conf")
	must("lxc_container config", os.WriteFile(lxcConf, []byte("lxc.net.0.type = empty\n"+
		"lxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n"), 0o644))
	coll := installCollection(b)

	vars, _ := json.Marshal(map[string]any{"bench_lxcpath": lxcpath, "bench_config_file": cfg,
		"bench_one": names[1], "bench_names": names, "bench_lxc_conf": lxcConf,
		"phoenix_lxc_cache_dir": filepath.Join(b.work, "lxc-cache")}) // the action plugin's binary cache, in the scratch folder
	runs := 3
	if b.short {
		runs = 1
	}
	samples := map[string][]float64{}
	for i := 0; i < runs; i++ {
		out, err := command([]string{"ANSIBLE_COLLECTIONS_PATH=" + coll, "ANSIBLE_STDOUT_CALLBACK=ansible.posix.json",
			"ANSIBLE_LOCALHOST_WARNING=false", "ANSIBLE_INVENTORY_UNPARSED_WARNING=false"},
			"ansible-playbook", "-i", "localhost,", "-c", "local", "-e", "ansible_python_interpreter=/usr/bin/python3",
			"-e", string(vars), "bench/lxc_playbook.yml")
		times, perr := taskTimes(out)
		if perr != nil {
			must("ansible-playbook bench/lxc_playbook.yml", perr)
		}
		must("ansible-playbook bench/lxc_playbook.yml", err)
		for k, v := range times {
			samples[k] = append(samples[k], v)
		}
	}
	med := map[string]float64{}
	for k, v := range samples {
		med[k] = medianOf(v)
	}
	one, peer := med["phoenix_lxc one"], med["lxc_container one"]
	t.add(row{
		what:   "3. real LXC, 1 converged container: `lxc_container` task / `phoenix_lxc` task",
		ours:   ms(one),
		theirs: ms(peer),
		ratio:  ratio(peer, one),
		goal:   "≥ 5x faster", met: yes(peer >= 5*one),
	})
	fleet, loop := med["phoenix_lxc fleet"], med["lxc_container fleet"]
	t.add(row{
		what:   fmt.Sprintf("3. real LXC, %d converged containers: %d looped `lxc_container` / one `phoenix_lxc` fleet task", n, n),
		ours:   fmt.Sprintf("%s (%s per container)", ms(fleet), ms(fleet/float64(n))),
		theirs: fmt.Sprintf("%s (%s per container)", ms(loop), ms(loop/float64(n))),
		ratio:  ratio(loop, fleet),
		goal:   "≥ 5x faster per container", met: yes(loop >= 5*fleet),
	})
	stat := med["stat"]
	t.add(row{
		what:   "4. Ansible overhead: one converged `phoenix_lxc` task / one `ansible.builtin.stat` task",
		ours:   ms(one),
		theirs: ms(stat),
		ratio:  ratio(one, stat), goal: "", met: "-",
	})
}

// lxcMissing says what the real-LXC rows lack on this machine, or "".
func lxcMissing() string {
	if os.Geteuid() != 0 {
		return "needs root"
	}
	for _, tool := range []string{"lxc-start", "ansible-playbook", "ansible-galaxy"} {
		if _, err := exec.LookPath(tool); err != nil {
			return tool + " not installed"
		}
	}
	if exec.Command("/usr/bin/python3", "-c", "import lxc").Run() != nil {
		return "python3-lxc not installed"
	}
	if exec.Command("/usr/bin/python3", "-c", "import ansible_collections.community.general, ansible_collections.ansible.posix").Run() != nil {
		return "Debian package ansible (community.general, ansible.posix) not installed"
	}
	return ""
}

// taskTimes reads the ansible.posix.json callback's output: each task's
// wall time by name. A task that changed or failed is an error: every
// container is converged already.
func taskTimes(out []byte) (map[string]float64, error) {
	var doc struct {
		Plays []struct {
			Tasks []struct {
				Task struct {
					Name     string `json:"name"`
					Duration struct {
						Start string `json:"start"`
						End   string `json:"end"`
					} `json:"duration"`
				} `json:"task"`
				Hosts map[string]struct {
					Changed bool `json:"changed"`
					Failed  bool `json:"failed"`
					Msg     any  `json:"msg"`
				} `json:"hosts"`
			} `json:"tasks"`
		} `json:"plays"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("%v: %.2000s", err, out)
	}
	times := map[string]float64{}
	for _, p := range doc.Plays {
		for _, task := range p.Tasks {
			for host, r := range task.Hosts {
				if r.Changed || r.Failed {
					return nil, fmt.Errorf("task %q on %s: changed %v, failed %v (want a converged no-op): %s", task.Task.Name, host, r.Changed, r.Failed, r.Msg)
				}
			}
			s, err1 := time.Parse(time.RFC3339Nano, task.Task.Duration.Start)
			e, err2 := time.Parse(time.RFC3339Nano, task.Task.Duration.End)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("task %q: unreadable duration %+v", task.Task.Name, task.Task.Duration)
			}
			times[task.Task.Name] = e.Sub(s).Seconds()
		}
	}
	return times, nil
}

// destroyLXC kills and destroys the bench's containers in lxcpath, clones
// first, and removes what is left of each.
func destroyLXC(lxcpath string, names []string) {
	for i := len(names) - 1; i >= 0; i-- {
		name := names[i]
		if _, err := os.Stat(filepath.Join(lxcpath, name)); err != nil {
			continue
		}
		_ = exec.Command("lxc-stop", "-P", lxcpath, "-n", name, "-k").Run()
		_ = exec.Command("lxc-destroy", "-P", lxcpath, "-n", name, "-s", "-f").Run()
		_ = os.RemoveAll(filepath.Join(lxcpath, name))
	}
}
