package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Secrets of the safety tests: shell syntax inside, so a shell anywhere on
// the way would also show up as a "pwned" file.
const (
	secretPassword = `Sup3r-S3cret-$(touch pwned)` + "`touch pwned2`" + `;'"x`
	secretKeyBlob  = "AAAAC3NzaC1lZDI1NTE5AAAAIPhoenixTestKeyBlobXyZ0123456789abcdef"
	secretKey      = "ssh-ed25519 " + secretKeyBlob + " test@safety"
)

// wrapPct puts a pct in front of the emulator that records every argument
// exactly as received (NUL-separated, one invocation per line) in argv.log,
// since PCTEMU_LOG hides a --password value. It returns the env to use it.
func (h *host) wrapPct() string {
	h.write("pctwrap", "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done >> "+filepath.Join(h.dir, "argv.log")+
		"\nprintf '\\n' >> "+filepath.Join(h.dir, "argv.log")+"\nexec "+filepath.Join(binDir, "pct")+" \"$@\"\n", 0o755)
	return "PHOENIX_LXC_PCT=" + filepath.Join(h.dir, "pctwrap")
}

// argvs returns each recorded pct invocation as its argv.
func (h *host) argvs() [][]string {
	data, _ := os.ReadFile(filepath.Join(h.dir, "argv.log"))
	var out [][]string
	for _, l := range strings.Split(string(data), "\x00\n") {
		if l != "" {
			out = append(out, strings.Split(l, "\x00"))
		}
	}
	return out
}

// withSecrets adds the password and key to container 901 of the fleet.
func (h *host) withSecrets(cfg string) {
	var doc map[string]map[string]map[string]any
	data, err := os.ReadFile(cfg)
	require.NoError(h.t, err)
	require.NoError(h.t, json.Unmarshal(data, &doc))
	doc["lxc_configs"]["901"]["password"] = secretPassword
	doc["lxc_configs"]["901"]["ssh_public_keys"] = []string{secretKey}
	out, _ := json.Marshal(doc)
	require.NoError(h.t, os.WriteFile(cfg, out, 0o644))
}

// start starts the module on args (its own args file, named by tag) with
// the test's folders, in h.dir; wait gives its one JSON object and output.
func (h *host) start(tag string, args map[string]any, extraEnv ...string) (cmd *exec.Cmd, wait func() (map[string]any, []byte, []byte)) {
	full := map[string]any{"backend": "pct", "node": "pve", "feature_script_dir": h.scripts, "application_script_dir": h.scripts, "ctids": "all"}
	for k, v := range args {
		full[k] = v
	}
	data, _ := json.Marshal(full)
	argsFile := filepath.Join(h.dir, "args-"+tag+".json")
	require.NoError(h.t, os.WriteFile(argsFile, data, 0o600))
	cmd = exec.Command(filepath.Join(binDir, "phoenix_lxc"), argsFile)
	cmd.Dir = h.dir
	cmd.Env = append(append([]string{}, h.env...), extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(h.t, cmd.Start())
	return cmd, func() (map[string]any, []byte, []byte) {
		_ = cmd.Wait()
		var res map[string]any
		if stdout.Len() > 0 {
			require.NoError(h.t, json.Unmarshal(stdout.Bytes(), &res), "stdout must be one JSON object: %s\nstderr: %s", stdout.String(), stderr.String())
		}
		return res, stdout.Bytes(), stderr.Bytes()
	}
}

// filesContaining lists the files under dir that contain any of needles,
// except those skip accepts.
func filesContaining(t *testing.T, dir string, needles []string, skip func(rel string) bool) []string {
	var hits []string
	require.NoError(t, filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || !fi.Mode().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if skip(rel) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if bytes.Contains(data, []byte(n)) {
				hits = append(hits, rel+" holds "+n)
			}
		}
		return nil
	}))
	return hits
}

// noPwned fails if a shell ever ran the secrets' command substitutions.
func noPwned(t *testing.T, dirs ...string) {
	for _, d := range dirs {
		_ = filepath.Walk(d, func(p string, fi os.FileInfo, err error) error {
			if err == nil && strings.HasPrefix(fi.Name(), "pwned") {
				t.Errorf("%s exists: a value reached a shell", p)
			}
			return nil
		})
	}
}

// A password and an SSH key given to the module appear nowhere: not in its
// output (verbosity 3, diff on), not on any pct command line, not in any
// file it or the emulator wrote, except where they belong (the emulator's
// salted hash in the container's shadow file; the key in authorized_keys),
// and nothing derived from the password is recorded.
func TestSecretsNeverLeak(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	h.withSecrets(cfg)
	tmp := filepath.Join(h.dir, "tmp")
	require.NoError(t, os.MkdirAll(tmp, 0o755))
	env := []string{h.wrapPct(), "TMPDIR=" + tmp}
	_, wait := h.start("secrets", map[string]any{"config_file": cfg, "_ansible_verbosity": 3, "_ansible_diff": true}, env...)
	res, stdout, stderr := wait()
	require.Equal(t, false, res["failed"], res["msg"])
	require.NotEmpty(t, stderr, "verbosity 3 logs progress on stderr")

	needles := []string{secretPassword, secretKeyBlob, "Sup3r-S3cret"}
	for _, n := range needles {
		assert.NotContains(t, string(stdout), n, "stdout")
		assert.NotContains(t, string(stderr), n, "stderr")
	}
	for _, argv := range h.argvs() {
		for _, a := range argv {
			for _, n := range needles {
				assert.NotContains(t, a, n, "pct argv %q", argv)
			}
			assert.NotEqual(t, "--password", a, "the password goes on stdin, not on a command line")
		}
	}
	shadow := "root/var/lib/lxc/901/rootfs/etc/shadow"
	keys := "root/var/lib/lxc/901/rootfs/root/.ssh/authorized_keys"
	data, err := os.ReadFile(filepath.Join(h.dir, shadow))
	require.NoError(t, err, "the password was set")
	assert.NotContains(t, string(data), "Sup3r-S3cret")
	data, err = os.ReadFile(filepath.Join(h.dir, keys))
	require.NoError(t, err)
	assert.Contains(t, string(data), secretKey, "the key is where it belongs (and the grep below would see it)")
	inputs := map[string]bool{"fleet.json": true, "args-secrets.json": true, keys: true}
	assert.Empty(t, filesContaining(t, h.dir, needles, func(rel string) bool { return inputs[rel] }))
	assert.Contains(t, h.confs()["901.conf"], "phoenix_lxc%3A password=set\n", "the record says only that it was set")
	assert.NotRegexp(t, digestRecord, h.confs()["901.conf"], "nothing derived from the password in the notes")
	noPwned(t, h.dir)

	// A failure at the password step does not print the password either.
	var at int
	for i, c := range h.mutations() {
		if strings.Contains(c, "chpasswd") {
			at = i + 1
		}
	}
	require.NotZero(t, at, "the clean run set the password with chpasswd: %v", h.pctCalls())
	f := newHost(t)
	fcfg := f.fleet()
	f.withSecrets(fcfg)
	_, wait = f.start("fail", map[string]any{"config_file": fcfg, "_ansible_verbosity": 3}, f.wrapPct(), "PCTEMU_FAIL_AT="+itoa(at))
	res, stdout, stderr = wait()
	require.Equal(t, true, res["failed"])
	assert.Contains(t, res["msg"], "chpasswd")
	for _, n := range needles {
		assert.NotContains(t, string(stdout), n)
		assert.NotContains(t, string(stderr), n)
	}
}

// Shell syntax in a value that reaches a pct command line unchanged (a
// template file name) is one argv element, never interpreted.
func TestShellSyntaxInAValueStaysOneArgument(t *testing.T) {
	h := newHost(t)
	name := `deb $(touch pwned) ` + "`touch pwned2`" + `; x'q".tar.zst`
	h.write("root/var/lib/vz/template/cache/"+name, "", 0o644)
	h.write("fleet.json", `{"lxc_configs": {"900": {"name": "tpl", "template": "local:vztmpl/`+strings.ReplaceAll(name, `"`, `\"`)+`", "storage_pool": "local-lvm"}}}`, 0o644)
	_, wait := h.start("shell", map[string]any{"config_file": filepath.Join(h.dir, "fleet.json")}, h.wrapPct())
	res, _, _ := wait()
	require.Equal(t, false, res["failed"], res["msg"])
	found := false
	for _, argv := range h.argvs() {
		for _, a := range argv {
			found = found || a == "local:vztmpl/"+name
		}
	}
	assert.True(t, found, "pct got the template name as one argument: %v", h.argvs())
	wd, _ := os.Getwd()
	noPwned(t, h.dir, wd)
}

// Two runs on the same fleet at the same time both succeed, and the end
// state is that of one run: one create, one clone each, no second mount
// point, conf files equal to a clean single run's.
func TestConcurrentRunsEndAsOneRun(t *testing.T) {
	clean := newHost(t)
	require.Equal(t, false, clean.run(map[string]any{"config_file": clean.fleet()})["failed"])
	want := maskVols(clean.confs(), clean.vols)

	h := newHost(t)
	cfg := h.fleet()
	_, waitA := h.start("a", map[string]any{"config_file": cfg})
	_, waitB := h.start("b", map[string]any{"config_file": cfg})
	a, _, _ := waitA()
	b, _, _ := waitB()
	require.Equal(t, false, a["failed"], a["msg"])
	require.Equal(t, false, b["failed"], b["msg"])
	assert.Equal(t, want, maskVols(h.confs(), h.vols))

	count := map[string]int{}
	for _, c := range h.mutations() {
		f := strings.Fields(c)
		if len(f) >= 3 && (f[0] == "create" || f[0] == "clone") {
			count[strings.Join(f[:3], " ")]++
		}
	}
	assert.Equal(t, map[string]int{"create 900 local:vztmpl/debian-12.tar.zst": 1, "clone 900 901": 1, "clone 900 902": 1}, count)
	conf, err := os.ReadFile(filepath.Join(h.root, "etc/pve/lxc/901.conf"))
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(conf), "\nmp"), "one mount point:\n%s", conf)
}

// A run killed while it holds a container's lock leaves no lock behind: the
// next run, with a one-second lock_timeout, finishes the job.
func TestKilledRunReleasesItsLock(t *testing.T) {
	clean := newHost(t)
	require.Equal(t, false, clean.run(map[string]any{"config_file": clean.fleet()})["failed"])
	want := maskVols(clean.confs(), clean.vols)

	h := newHost(t)
	cfg := h.fleet()
	pidFile := filepath.Join(h.dir, "app.pid")
	h.write("scripts/app.sh", "#!/bin/sh\necho $$ > "+pidFile+"\nexec sleep 120\n", 0o755)
	cmd, wait := h.start("killed", map[string]any{"config_file": cfg})
	var appPid int
	for i := 0; i < 600 && appPid == 0; i++ {
		data, _ := os.ReadFile(pidFile)
		appPid, _ = atoiTrim(data)
		time.Sleep(50 * time.Millisecond)
	}
	require.NotZero(t, appPid, "the application script of 901 started")
	defer syscall.Kill(appPid, syscall.SIGKILL)

	lock, err := os.OpenFile(filepath.Join(h.locks, "901.lock"), os.O_RDWR, 0)
	require.NoError(t, err)
	defer lock.Close()
	assert.Equal(t, syscall.EWOULDBLOCK, syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB), "the run holds 901's lock")
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_, _, _ = wait()
	require.NoError(t, syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB), "the kill released the lock while the app script still runs")
	require.NoError(t, syscall.Flock(int(lock.Fd()), syscall.LOCK_UN))

	_ = syscall.Kill(appPid, syscall.SIGKILL)
	h.write("scripts/app.sh", "#!/bin/sh\necho app ran > \"$PCTEMU_CT_ROOT/app.out\"\n", 0o755)
	res := h.run(map[string]any{"config_file": cfg, "lock_timeout": 1})
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Equal(t, want, maskVols(h.confs(), h.vols))
	_, err = os.Stat(filepath.Join(h.root, "var/lib/lxc/901/rootfs/app.out"))
	assert.NoError(t, err, "the application script ran to the end on the rerun")
}

// A custom map whose host ids root is not granted in the subuid file fails
// naming the range and the line to add, before the container is created.
func TestIdmapBeyondTheSubuidGrantFails(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	h.write("subid", "root:100000:65536\n", 0o644) // no root:1000:1 for 902's pass-through
	res := h.run(map[string]any{"config_file": cfg, "ctids": []int{900, 902}})
	require.Equal(t, true, res["failed"])
	assert.Contains(t, res["msg"], "does not grant root")
	assert.Contains(t, res["msg"], `"u 1000 1000 1" (add root:1000:1 to `)
	var on902 []string
	for _, c := range h.mutations() {
		if f := strings.Fields(c); len(f) > 1 && (f[1] == "902" || (f[0] == "clone" && len(f) > 2 && f[2] == "902")) {
			on902 = append(on902, c)
		}
	}
	assert.Empty(t, on902, "the grant is checked before 902 is created")
}

func atoiTrim(b []byte) (int, error) { return strconv.Atoi(strings.TrimSpace(string(b))) }

// A shared volume whose host path goes through a symlink is refused before
// anything is chowned or mounted: the link's target keeps its owner.
func TestSymlinkedVolumePathIsRefused(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	target := filepath.Join(h.dir, "etc-like")
	require.NoError(t, os.MkdirAll(target, 0o755))
	require.NoError(t, os.Symlink(target, filepath.Join(h.vols, "data")))
	res := h.run(map[string]any{"config_file": cfg})
	require.Equal(t, true, res["failed"])
	assert.Contains(t, res["msg"], "symlink")
	assert.Contains(t, res["msg"], filepath.Join(h.vols, "data"))
	fi, err := os.Stat(target)
	require.NoError(t, err)
	assert.Equal(t, uint32(0), fi.Sys().(*syscall.Stat_t).Uid, "the target was not chowned")
	assert.Equal(t, os.FileMode(0o755), fi.Mode().Perm(), "the target's mode is unchanged")
	for _, c := range h.mutations() {
		assert.NotContains(t, c, "--mp0", "nothing was mounted")
	}
}
