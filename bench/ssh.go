package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/tests/sshd"
)

// sshRows: the collection over real SSH (an sshd on 127.0.0.1, tests/sshd,
// behind a proxy that counts the bytes the controller sends), against an
// emulated node whose fleet is converged: one phoenix_lxc task against one
// ansible.builtin.ping task, pipelining on and off; the converged role
// against the module task alone; the bytes a converged rerun sends.
func sshRows(b *bench, t *table) {
	const what = "5. SSH to 127.0.0.1: a converged `phoenix_lxc` task, the role, the bytes sent"
	why := sshd.Missing()
	for _, tool := range []string{"ansible-playbook", "ansible-galaxy"} {
		if _, err := exec.LookPath(tool); err != nil && why == "" {
			why = tool + " not installed"
		}
	}
	if why != "" {
		t.skip(what, why)
		return
	}
	server, err := sshd.Start(mkdir(b, "sshd"))
	must("sshd", err)
	atExit(server.Stop)
	proxy, err := sshd.NewProxy(server.Port)
	must("ssh proxy", err)
	atExit(proxy.Close)
	inv := filepath.Join(b.work, "ssh_inventory.yml")
	must("ssh inventory", server.Inventory(inv, "sshtarget", proxy.Port))
	coll := installCollection(b)

	h := newEmuHost(b, "ssh-node")
	cfg := writeFleet(filepath.Join(h.dir, "fleet.json"), 2, nil)
	_, err = h.module(b, map[string]any{"config_file": cfg})
	must("converging the SSH bench's fleet", err)
	env := map[string]string{}
	for _, kv := range h.env {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	vars, _ := json.Marshal(map[string]any{"bench_env": env, "bench_config_file": cfg, "bench_script_dir": h.dir,
		"phoenix_lxc_cache_dir": filepath.Join(b.work, "ssh-cache"), "ansible_python_interpreter": "/usr/bin/python3"})
	playbook := func(pipelining bool, flags ...string) []byte {
		out, err := command([]string{"ANSIBLE_COLLECTIONS_PATH=" + coll, "ANSIBLE_STDOUT_CALLBACK=ansible.posix.json",
			"ANSIBLE_SSH_CONTROL_PATH_DIR=" + filepath.Join(b.work, "cp"), fmt.Sprintf("ANSIBLE_PIPELINING=%t", pipelining)},
			append([]string{"ansible-playbook", "-i", inv, "-e", string(vars), "bench/ssh_playbook.yml"}, flags...)...)
		must("ansible-playbook bench/ssh_playbook.yml", err)
		return out
	}

	// The bytes: the first run uploads the binary to the cache, a converged
	// rerun sends only the task.
	before := proxy.Sent()
	playbook(true, "--tags", "module")
	first := proxy.Sent() - before
	before = proxy.Sent()
	playbook(true, "--tags", "module")
	rerun := proxy.Sent() - before
	bin, err := os.Stat(filepath.Join(coll, "ansible_collections/phoenix/hypervisor/binaries/phoenix_lxc_linux_"+runtime.GOARCH))
	must("the collection's binary", err)

	runs := 5
	if b.short {
		runs = 2
	}
	med := map[bool]map[string]float64{}
	for _, pipelining := range []bool{true, false} {
		samples := map[string][]float64{}
		for i := 0; i < runs; i++ {
			times, err := taskTimes(playbook(pipelining))
			must("ansible-playbook bench/ssh_playbook.yml", err)
			role := 0.0
			for name, sec := range times {
				if name != "phoenix_lxc" && name != "ping" && !strings.HasPrefix(name, "warm up") {
					role += sec // the role's tasks: argument validation, the module, the summary
				}
				samples[name] = append(samples[name], sec)
			}
			samples["role"] = append(samples["role"], role)
		}
		med[pipelining] = map[string]float64{}
		for k, v := range samples {
			med[pipelining][k] = medianOf(v)
		}
	}
	for _, pipelining := range []bool{true, false} {
		m := med[pipelining]
		goal, met := "≤ 2x", yes(m["phoenix_lxc"] <= 2*m["ping"])
		if !pipelining {
			goal, met = "", "-"
		}
		t.add(row{
			what: fmt.Sprintf("5. SSH to 127.0.0.1, pipelining %s: one converged `phoenix_lxc` task / one `ansible.builtin.ping` task", onOff(pipelining)),
			ours: ms(m["phoenix_lxc"]), theirs: ms(m["ping"]), ratio: ratio(m["phoenix_lxc"], m["ping"]), goal: goal, met: met,
		})
	}
	// The floor of any task over SSH here: one command over a master
	// connection, as Ansible's ssh connection runs each of its commands.
	bare := []string{"ssh", "-o", "ControlMaster=auto", "-o", "ControlPersist=60s", "-o", "ControlPath=" + filepath.Join(b.work, "cp", "bare"),
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
		"-i", server.Key, "-p", fmt.Sprint(server.Port), server.User + "@127.0.0.1", "true"}
	_, err = command(nil, bare...)
	must("ssh true", err)
	floor, err := median(runs, func() error { _, err := command(nil, bare...); return err })
	must("ssh true", err)
	m := med[true]
	t.add(row{
		what: "5. SSH: one bare command over the master connection (`ssh … true`) / one `ansible.builtin.ping` task, pipelining on",
		ours: ms(floor), theirs: ms(m["ping"]), ratio: ratio(floor, m["ping"]), goal: "", met: "-",
	})
	t.add(row{
		what: "5. SSH, pipelining on: the converged role (every task of it) / the module task alone",
		ours: ms(m["role"]), theirs: ms(m["phoenix_lxc"]), ratio: ratio(m["role"], m["phoenix_lxc"]),
		goal: "≤ the module + one task (ping)", met: yes(m["role"] <= m["phoenix_lxc"]+m["ping"]),
	})
	t.add(row{
		what: "5. SSH: bytes sent to the target by a converged rerun of the task / the binary's size",
		ours: fmt.Sprintf("%d bytes (first run, binary uploaded: %d)", rerun, first), theirs: fmt.Sprintf("%d bytes", bin.Size()),
		ratio: fmt.Sprintf("%.3fx", float64(rerun)/float64(bin.Size())), goal: "< 0.1x", met: yes(rerun*10 < bin.Size()),
	})
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// mkdir makes a folder of the scratch folder.
func mkdir(b *bench, name string) string {
	d := filepath.Join(b.work, name)
	must("scratch folder", os.MkdirAll(d, 0o755))
	return d
}
