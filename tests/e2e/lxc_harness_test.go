package e2e

// The harness for the real-container tests: the built binary drives real
// LXC containers in an LXC path of the test's own, and every container the
// test made is killed and destroyed when it ends, pass or fail.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// lxcHost is one test's slice of the real host: an LXC path, scripts and a
// folder for shared volumes, all under one directory in /var/lib.
type lxcHost struct {
	tb      testing.TB
	dir     string
	lxcpath string
	scripts string
	vols    string
	env     []string
}

// newLXCHost returns a fresh lxcHost, or skips: real containers need root,
// the lxc tools, and PHOENIX_LXC_REAL not "0".
func newLXCHost(tb testing.TB) *lxcHost {
	tb.Helper()
	if os.Getenv("PHOENIX_LXC_REAL") == "0" {
		tb.Skip("PHOENIX_LXC_REAL=0")
	}
	if os.Geteuid() != 0 {
		tb.Skip("real LXC tests need root")
	}
	if _, err := exec.LookPath("lxc-start"); err != nil {
		tb.Skip("lxc-start not installed")
	}
	// Unprivileged containers need every parent of their directory and of
	// their volumes traversable by host uid 100000: hence /var/lib and 0755.
	dir, err := os.MkdirTemp("/var/lib", "phoenix-e2e-")
	require.NoError(tb, err)
	h := &lxcHost{tb: tb, dir: dir, lxcpath: filepath.Join(dir, "lxc"), scripts: filepath.Join(dir, "scripts"), vols: filepath.Join(dir, "vols")}
	tb.Cleanup(func() {
		h.destroyAll()
		_ = os.RemoveAll(dir)
	})
	for _, d := range []string{dir, h.lxcpath, h.scripts, h.vols} {
		require.NoError(tb, os.MkdirAll(d, 0o755))
		require.NoError(tb, os.Chmod(d, 0o755))
	}
	h.write("scripts/phoenix_hypervisor_feature_install_base_setup.sh", "#!/bin/sh\necho base_setup for \"$@\"\n", 0o755)
	h.write("scripts/app.sh", "#!/bin/sh\nset -e\necho written by the app > /data/hello.txt\nchown 1000:1000 /data/hello.txt\necho app ran > /root/app.out\n", 0o755)
	h.env = append(os.Environ(), "PHOENIX_LXC_LXCPATH="+h.lxcpath, "PHOENIX_LXC_LOCK_DIR="+filepath.Join(dir, "locks"))
	return h
}

func (h *lxcHost) write(rel, content string, mode os.FileMode) string {
	p := filepath.Join(h.dir, rel)
	require.NoError(h.tb, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(h.tb, os.WriteFile(p, []byte(content), mode))
	return p
}

// destroyAll kills and destroys every container in the LXC path, then
// removes what is left of each (a killed lxc-create leaves half a one).
func (h *lxcHost) destroyAll() {
	entries, _ := os.ReadDir(h.lxcpath)
	for _, e := range entries {
		h.destroy(e.Name())
	}
}

// destroy kills and destroys one container (by directory name), snapshots
// included, and removes its directory.
func (h *lxcHost) destroy(name string) {
	_ = exec.Command("lxc-stop", "-P", h.lxcpath, "-n", name, "-k").Run()
	_ = exec.Command("lxc-destroy", "-P", h.lxcpath, "-n", name, "-s", "-f").Run()
	_ = os.RemoveAll(filepath.Join(h.lxcpath, name))
}

// fleet writes specs as a phoenix_lxc_configs.json and returns its path.
func (h *lxcHost) fleet(specs map[int]map[string]any) string {
	cfgs := map[string]any{}
	for id, s := range specs {
		cfgs[strconv.Itoa(id)] = s
	}
	data, err := json.MarshalIndent(map[string]any{"lxc_configs": cfgs}, "", " ")
	require.NoError(h.tb, err)
	return h.write("fleet.json", string(data), 0o644)
}

// appFleet is the fleet of the tests: template tpl (snapshot base, feature
// base_setup) and app, a clone of its snapshot with a shared volume owned
// by container 1000:1000 and an application script.
func (h *lxcHost) appFleet(tpl, app int) map[int]map[string]any {
	return map[int]map[string]any{
		tpl: {"name": "tpl", "memory_mb": 256, "cores": 1, "template": "lxc:busybox", "unprivileged": true,
			"template_snapshot_name": "base", "features": []string{"base_setup"}},
		app: {"name": "app", "memory_mb": 256, "cores": 1, "clone_from_ctid": tpl, "application_script": "app.sh",
			"shared_volumes": []map[string]any{{"host_path": filepath.Join(h.vols, "data"), "mount_path": "/data", "owner": "1000:1000", "mode": "0755"}}},
	}
}

// args is the module's args file content for config file cfg.
func (h *lxcHost) args(cfg string, extra map[string]any) []byte {
	full := map[string]any{"backend": "lxc", "config_file": cfg, "ctids": "all",
		"feature_script_dir": h.scripts, "application_script_dir": h.scripts}
	for k, v := range extra {
		full[k] = v
	}
	data, err := json.Marshal(full)
	require.NoError(h.tb, err)
	return data
}

// command is the module as Ansible starts it, not yet started.
func (h *lxcHost) command(cfg string, extra map[string]any, extraEnv ...string) *exec.Cmd {
	argsFile := h.write("args.json", string(h.args(cfg, extra)), 0o600)
	cmd := exec.Command(filepath.Join(binDir, "phoenix_lxc"), argsFile)
	cmd.Env = append(append([]string{}, h.env...), extraEnv...)
	return cmd
}

// run runs the module to its end and returns its one JSON object.
func (h *lxcHost) run(cfg string, extra map[string]any, extraEnv ...string) map[string]any {
	h.tb.Helper()
	cmd := h.command(cfg, extra, extraEnv...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, _ := cmd.Output()
	var res map[string]any
	require.NoError(h.tb, json.Unmarshal(out, &res), "stdout must be one JSON object: %s\nstderr: %s", out, stderr.String())
	return res
}

// attach runs argv inside a container and returns its trimmed stdout.
func (h *lxcHost) attach(ctid int, argv ...string) string {
	h.tb.Helper()
	full := append([]string{"-P", h.lxcpath, "-n", strconv.Itoa(ctid), "--clear-env", "--"}, argv...)
	out, err := exec.Command("lxc-attach", full...).Output()
	require.NoError(h.tb, err, "lxc-attach %v", argv)
	return strings.TrimSpace(string(out))
}

// initPID is the container's init pid as lxc-info reports it ("" when stopped).
func (h *lxcHost) initPID(ctid int) string {
	out, _ := exec.Command("lxc-info", "-P", h.lxcpath, "-n", strconv.Itoa(ctid), "-p", "-H").Output()
	return strings.TrimSpace(string(out))
}

// lstatOwner is "uid:gid" of a host path, not following symlinks.
func lstatOwner(tb testing.TB, p string) string {
	tb.Helper()
	fi, err := os.Lstat(p)
	require.NoError(tb, err)
	st := fi.Sys().(*syscall.Stat_t)
	return fmt.Sprintf("%d:%d", st.Uid, st.Gid)
}

// tree records every path under root (symlinks not followed) as its mode,
// owner, size and, for regular files, content hash. Log files, which LXC
// writes while containers run, and times are left out.
func tree(tb testing.TB, root string) map[string]string {
	tb.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasSuffix(p, ".log") {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		rec := fmt.Sprintf("%v %d:%d %d", fi.Mode(), st.Uid, st.Gid, fi.Size())
		switch {
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			rec += " " + hex.EncodeToString(sum[:])
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			rec += " -> " + target
		}
		out[strings.TrimPrefix(p, root)] = rec
		return nil
	})
	require.NoError(tb, err, "walk %s", root)
	return out
}

// treeDiff lists the paths whose record differs between two trees, as
// "path: before => after", so a failure shows only what changed.
func treeDiff(before, after map[string]string) []string {
	var out []string
	for p, b := range before {
		if a := after[p]; a != b {
			out = append(out, fmt.Sprintf("%s: %q => %q", p, b, a))
		}
	}
	for p, a := range after {
		if _, ok := before[p]; !ok {
			out = append(out, fmt.Sprintf("%s: (none) => %q", p, a))
		}
	}
	sort.Strings(out)
	return out
}

// endState is what a converged fleet must look like, read from the host:
// per container its config, state, snapshots (directory = name) and
// records, and the owners in the volumes.
func (h *lxcHost) endState(ctids ...int) map[string]string {
	h.tb.Helper()
	out := map[string]string{}
	for _, id := range ctids {
		n := strconv.Itoa(id)
		conf, _ := os.ReadFile(filepath.Join(h.lxcpath, n, "config"))
		out[n+" config"] = maskMAC(string(conf))
		st, _ := exec.Command("lxc-info", "-P", h.lxcpath, "-n", n, "-s", "-H").Output()
		out[n+" state"] = strings.TrimSpace(string(st))
		var snaps []string
		dirs, _ := os.ReadDir(filepath.Join(h.lxcpath, n, "snaps"))
		for _, d := range dirs {
			c, _ := os.ReadFile(filepath.Join(h.lxcpath, n, "snaps", d.Name(), "comment"))
			snaps = append(snaps, d.Name()+"="+strings.TrimSpace(string(c)))
		}
		sort.Strings(snaps)
		out[n+" snapshots"] = strings.Join(snaps, ",")
		rec, _ := os.ReadFile(filepath.Join(h.lxcpath, n, "phoenix_lxc.records"))
		out[n+" records"] = string(rec)
	}
	_ = filepath.WalkDir(h.vols, func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			out["vol "+strings.TrimPrefix(p, h.vols)] = lstatOwner(h.tb, p)
		}
		return nil
	})
	return out
}

// maskMAC hides the random MAC LXC gives a clone's veth.
func maskMAC(conf string) string {
	lines := strings.Split(conf, "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "lxc.net.0.hwaddr") {
			lines[i] = "lxc.net.0.hwaddr = <mac>"
		}
	}
	return strings.Join(lines, "\n")
}

// containerActions is the actions of one container entry of a result.
func containerActions(res map[string]any, ctid int) []map[string]any {
	var out []map[string]any
	cs, _ := res["containers"].([]any)
	for _, c := range cs {
		cm := c.(map[string]any)
		if fmt.Sprint(cm["ctid"]) != strconv.Itoa(ctid) {
			continue
		}
		acts, _ := cm["actions"].([]any)
		for _, a := range acts {
			out = append(out, a.(map[string]any))
		}
	}
	return out
}
