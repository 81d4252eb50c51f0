package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pwHash is a crypt(3) SHA-512 hash (openssl passwd -6), and pwHashOther
// another one: the password someone set inside the container.
const (
	pwHash      = "$6$Rh/OHeJ6rjvY87TH$of/fDIRbz5vmfxHt1eyQhfQ0zqb7kYkkLH2MI4o.M1rldOql4HHwafXbY7BTRCm1/JB0ka82VV6nltq1FivsU0"
	pwHashOther = "$5$abc$W6SISEcmf6GfVdGFK0lGBXz2NPDhGZ.FBBMOz418YA7"
)

// pwHashParts are what must never be printed or stored: the hash, and its
// salt and digest alone.
var pwHashParts = []string{pwHash, "Rh/OHeJ6rjvY87TH", "of/fDIRbz5vmfxHt1eyQhfQ0zqb7kYkkLH2MI4o", pwHashOther, "W6SISEcmf6GfVdGFK0lGBXz2NPDhGZ"}

// digestRecord is what an older phoenix_lxc recorded for a password: a
// salted HMAC, brute-forced in seconds from the container's notes.
var digestRecord = regexp.MustCompile(`password=[0-9a-f]{32}(:|%3A)[0-9a-f]{64}`)

// withPassword sets container 901's password in the fleet file.
func (h *host) withPassword(cfg, pw string) {
	var doc map[string]map[string]map[string]any
	data, err := os.ReadFile(cfg)
	require.NoError(h.t, err)
	require.NoError(h.t, json.Unmarshal(data, &doc))
	doc["lxc_configs"]["901"]["password"] = pw
	out, _ := json.Marshal(doc)
	require.NoError(h.t, os.WriteFile(cfg, out, 0o644))
}

const shadow901 = "root/var/lib/lxc/901/rootfs/etc/shadow"

// rootShadow is root's entry in container 901's /etc/shadow.
func (h *host) rootShadow() string {
	data, err := os.ReadFile(filepath.Join(h.dir, shadow901))
	require.NoError(h.t, err)
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "root:") {
			return l
		}
	}
	return ""
}

// changesOf lists the state-changing pct calls, without the read of
// /etc/shadow (pct exec is a change to the emulator's counters).
func changesOf(h *host) []string {
	var out []string
	for _, c := range h.mutations() {
		if !strings.HasSuffix(c, "-- cat /etc/shadow") {
			out = append(out, c)
		}
	}
	return out
}

// secretsRun lists the commands the secrets step ran (or planned) inside
// containers, as "CTID argv" ("901 chpasswd -e").
func secretsRun(res map[string]any) []string {
	var out []string
	for _, a := range actions(res) {
		cmd, ok := strings.CutPrefix(a, "secrets ")
		_, inside, isExec := strings.Cut(cmd, " -- ")
		if ok && isExec {
			f := strings.Fields(cmd)
			out = append(out, f[2]+" "+inside)
		}
	}
	return out
}

// A password given as a crypt(3) hash is set with chpasswd -e on stdin,
// compared with the container's own /etc/shadow on every run (check mode
// too, reading only) and set again when it was changed behind the
// module's back; nothing derived from it is stored or printed anywhere but
// the container's shadow file.
func TestPasswordHashIsEnforcedFromTheContainersShadow(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	h.withPassword(cfg, pwHash)
	env := []string{h.wrapPct()}
	args := map[string]any{"config_file": cfg, "_ansible_verbosity": 3, "_ansible_diff": true}
	_, wait := h.start("first", args, env...)
	res, stdout, stderr := wait()
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Equal(t, "root:"+pwHash+":19000:0:99999:7:::", h.rootShadow(), "the hash is root's entry, as given")
	assert.Equal(t, []string{"901 chpasswd -e"}, secretsRun(res))
	assert.Contains(t, h.confs()["901.conf"], "phoenix_lxc%3A password=hash\n", "the record says only which form is enforced")
	assert.NotContains(t, h.confs()["900.conf"], "password=", "900 has no password")
	assert.NotContains(t, string(stdout), "plain text", "no warning for a hash")

	noTrace := func(what string, out ...[]byte) {
		t.Helper()
		for _, n := range pwHashParts {
			for _, o := range out {
				assert.NotContains(t, string(o), n, what)
			}
			for _, argv := range h.argvs() {
				assert.NotContains(t, strings.Join(argv, " "), n, "pct argv %q", argv)
			}
		}
		inputs := map[string]bool{"fleet.json": true, shadow901: true}
		assert.Empty(t, filesContaining(t, h.dir, pwHashParts, func(rel string) bool { return inputs[rel] }), what)
	}
	noTrace("first run", stdout, stderr)

	// Converged: the shadow entry is read, nothing else happens.
	h.resetLog()
	_, wait = h.start("again", args, env...)
	res, stdout, stderr = wait()
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Equal(t, false, res["changed"], actions(res))
	assert.Empty(t, changesOf(h))
	assert.Contains(t, h.pctCalls(), "exec 901 --keep-env 0 -- cat /etc/shadow", "read on every run")
	noTrace("converged run", stdout, stderr)

	// Someone sets another password inside the container: check mode
	// reads the entry and plans chpasswd -e, changing nothing.
	r := h.pctStdin("root:"+pwHashOther+"\n", "exec", "901", "--", "chpasswd", "-e")
	require.Empty(t, r)
	h.resetLog()
	check := map[string]any{"config_file": cfg, "_ansible_check_mode": true, "_ansible_verbosity": 3, "_ansible_diff": true}
	_, wait = h.start("check", check, env...)
	res, stdout, stderr = wait()
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Equal(t, true, res["changed"])
	assert.Equal(t, []string{"901 chpasswd -e"}, secretsRun(res))
	assert.Empty(t, changesOf(h), "check mode only reads")
	assert.Equal(t, "root:"+pwHashOther+":19000:0:99999:7:::", h.rootShadow())
	noTrace("check run", stdout, stderr)

	// The real run sets it back.
	_, wait = h.start("enforce", args, env...)
	res, stdout, stderr = wait()
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Equal(t, []string{"901 chpasswd -e"}, secretsRun(res))
	assert.Equal(t, "root:"+pwHash+":19000:0:99999:7:::", h.rootShadow())
	noTrace("enforcing run", stdout, stderr)
}

// pctStdin runs the emulator directly with stdin, and returns its stderr
// when it fails ("" when it succeeds).
func (h *host) pctStdin(stdin string, args ...string) string {
	cmd := exec.Command(filepath.Join(binDir, "pct"), args...)
	cmd.Env = h.env
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return err.Error() + ": " + string(out)
	}
	return ""
}

// A plain-text password (the old script's form) is set once: the record
// says only that it was set, a changed one is not applied, and the result
// warns about it, pointing at the hash form. A digest an older version
// recorded is replaced.
func TestPlainPasswordIsSetOnceWithAWarning(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	h.withPassword(cfg, "first-Secret9")
	res := h.run(map[string]any{"config_file": cfg})
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Equal(t, []string{"901 chpasswd"}, secretsRun(res))
	assert.Regexp(t, `^root:\$pctemu-sha256\$`, h.rootShadow())
	conf := h.confs()["901.conf"]
	assert.Contains(t, conf, "phoenix_lxc%3A password=set\n")
	assert.NotRegexp(t, digestRecord, conf)
	warned := func(res map[string]any) bool {
		w, _ := json.Marshal(res["warnings"])
		return strings.Contains(string(w), "CT 901: password is plain text: it is set once") && strings.Contains(string(w), "mkpasswd")
	}
	assert.True(t, warned(res), "warns: %v", res["warnings"])
	set := h.rootShadow()

	// Changed in the spec: not detected, left alone, still warned about.
	h.withPassword(cfg, "second-Secret9")
	h.resetLog()
	res = h.run(map[string]any{"config_file": cfg})
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Equal(t, false, res["changed"], actions(res))
	assert.Empty(t, h.mutations(), "plain text is never read back nor compared")
	assert.Equal(t, set, h.rootShadow())
	assert.True(t, warned(res), "warns: %v", res["warnings"])

	// A digest an older phoenix_lxc left in the notes is replaced, and the
	// password set once more.
	confPath := filepath.Join(h.root, "etc/pve/lxc/901.conf")
	data, err := os.ReadFile(confPath)
	require.NoError(t, err)
	old := strings.Replace(string(data), "password=set", "password=00112233445566778899aabbccddeeff:"+strings.Repeat("ab", 32), 1)
	require.NotEqual(t, string(data), old)
	require.NoError(t, os.WriteFile(confPath, []byte(old), 0o640))
	res = h.run(map[string]any{"config_file": cfg})
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Equal(t, []string{"901 chpasswd"}, secretsRun(res))
	conf = h.confs()["901.conf"]
	assert.Contains(t, conf, "phoenix_lxc%3A password=set\n")
	assert.NotRegexp(t, digestRecord, conf)
}

// Check mode on a fleet that does not exist yet plans the hash without
// reading anything (there is no container to read from).
func TestPasswordHashIsPlannedForANewContainer(t *testing.T) {
	h := newHost(t)
	cfg := h.fleet()
	h.withPassword(cfg, pwHash)
	res := h.run(map[string]any{"config_file": cfg, "_ansible_check_mode": true})
	require.Equal(t, false, res["failed"], res["msg"])
	assert.Equal(t, []string{"901 chpasswd -e"}, secretsRun(res))
	assert.Empty(t, h.mutations())
	assert.NoFileExists(t, filepath.Join(h.dir, shadow901))
}
