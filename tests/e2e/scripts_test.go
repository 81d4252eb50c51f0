package e2e

// Issue 12, points 4 and 5: inside the container the application script
// goes to a fresh private folder no user there can prepare, and on the host
// only scripts that root alone can change are run or pushed.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scriptCT writes a one-container config (CT 910) with the base_setup
// feature and an application script, and returns its path.
func (h *host) scriptCT(app string) string {
	spec := map[string]any{"name": "app", "memory_mb": 512, "cores": 1, "template": "local:vztmpl/debian-12.tar.zst",
		"storage_pool": "local-lvm", "storage_size_gb": 8, "unprivileged": true,
		"features": []string{"base_setup"}, "application_script": app}
	data, err := json.Marshal(map[string]any{"lxc_configs": map[string]any{"910": spec}})
	require.NoError(h.t, err)
	h.write("scripts-ct.json", string(data), 0o644)
	return filepath.Join(h.dir, "scripts-ct.json")
}

// whereApp is an application script that records, on the emulator's host,
// the mode and owner of the folder it runs from, and that folder.
const whereApp = "#!/bin/sh\nd=$(dirname \"$0\")\nstat -c '%a %u' \"$d\" > \"$PCTEMU_CT_ROOT/app.where\"\necho \"$d\" >> \"$PCTEMU_CT_ROOT/app.where\"\n" +
	"test -f \"$d/phoenix_lxc_configs.json\" && echo spec >> \"$PCTEMU_CT_ROOT/app.where\"\n"

var runFolderRe = regexp.MustCompile(`/tmp/phoenix_run\.[A-Za-z0-9]{10}$`)

// leftRunFolders lists the run folders left in CT 910's /tmp.
func (h *host) leftRunFolders() []string {
	left, _ := filepath.Glob(filepath.Join(h.root, "var/lib/lxc/910/rootfs/tmp/phoenix_run.*"))
	return left
}

// The application script runs from a fresh folder of the container's root,
// mode 0700, that is gone afterwards, whether the script passed or failed;
// a /tmp/phoenix_run a user of the container planted (a symlink to /root)
// redirects nothing. Check mode plans the same actions, the folder shown as
// mktemp's template.
func TestRunFolderIsFreshPrivateAndRemoved(t *testing.T) {
	h := newHost(t)
	h.write("scripts/where.sh", whereApp, 0o755)
	cfg := h.scriptCT("where.sh")
	rootfs := filepath.Join(h.root, "var/lib/lxc/910/rootfs")

	plan := h.run(map[string]any{"config_file": cfg, "_ansible_check_mode": true})
	require.Equal(t, false, plan["failed"], plan["msg"])
	acts := strings.Join(actions(plan), "\n")
	for _, want := range []string{
		"pct exec 910 --keep-env 0 -- mktemp -d /tmp/phoenix_run.XXXXXXXXXX",
		"pct exec 910 --keep-env 0 -- stat -c '%u %a %F' / /tmp /tmp/phoenix_run.XXXXXXXXXX",
		"/tmp/phoenix_run.XXXXXXXXXX/where.sh --perms 0755",
		"pct exec 910 --keep-env 0 -- /tmp/phoenix_run.XXXXXXXXXX/where.sh 910",
		"pct exec 910 --keep-env 0 -- rm -rf /tmp/phoenix_run.XXXXXXXXXX",
	} {
		assert.Contains(t, acts, want)
	}

	var first string
	for i, app := range []string{whereApp, whereApp + "# changed: runs again\n"} {
		if i == 1 { // a user of the container (uid 1000) plants /tmp/phoenix_run
			planted := filepath.Join(rootfs, "tmp/phoenix_run")
			require.NoError(t, os.Symlink("../root", planted))
			require.NoError(t, os.Lchown(planted, 101000, 101000))
		}
		h.write("scripts/where.sh", app, 0o755)
		res := h.run(map[string]any{"config_file": cfg})
		require.Equal(t, false, res["failed"], res["msg"])
		where := strings.Split(strings.TrimSpace(readFile(t, filepath.Join(rootfs, "app.where"))), "\n")
		require.Len(t, where, 3, "%q", where)
		assert.Equal(t, "700 100000", where[0], "the folder is the container root's, mode 0700")
		assert.Regexp(t, runFolderRe, where[1])
		assert.True(t, strings.HasPrefix(where[1], rootfs+"/tmp/"), where[1])
		assert.NotEqual(t, first, where[1], "a fresh folder each run")
		first = where[1]
		assert.Equal(t, "spec", where[2], "the spec went in with the script")
		assert.NoDirExists(t, where[1], "the folder is removed afterwards")
		assert.Empty(t, h.leftRunFolders())
	}
	target, err := os.Readlink(filepath.Join(rootfs, "tmp/phoenix_run"))
	require.NoError(t, err)
	assert.Equal(t, "../root", target, "the planted symlink is left alone")
	entries, err := os.ReadDir(filepath.Join(rootfs, "root"))
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing was written where it points")

	h.write("scripts/where.sh", "#!/bin/sh\nexit 3\n", 0o755)
	res := h.run(map[string]any{"config_file": cfg})
	require.Equal(t, true, res["failed"])
	assert.Contains(t, res["msg"], "CT 910 failed at step application")
	assert.Contains(t, strings.Join(actions(res), "\n"), "rm -rf /tmp/phoenix_run.XXXXXXXXXX")
	assert.Empty(t, h.leftRunFolders(), "a failed script's folder is removed too")
}

// A container whose /tmp any user may rename entries in (world-writable,
// not sticky) cannot hold the run folder: the check from inside refuses it
// before anything is pushed, and the folder is removed.
func TestRunFolderInAnUnsafeTmpIsRefused(t *testing.T) {
	h := newHost(t)
	cfg := h.scriptCT("app.sh")
	res := h.run(map[string]any{"config_file": cfg, "ctids": []int{910}, "state": "stopped"})
	require.Equal(t, false, res["failed"], res["msg"])
	require.NoError(t, os.Chmod(filepath.Join(h.root, "var/lib/lxc/910/rootfs/tmp"), 0o777))

	h.resetLog()
	res = h.run(map[string]any{"config_file": cfg})
	require.Equal(t, true, res["failed"])
	msg := res["msg"].(string)
	assert.Contains(t, msg, "CT 910 failed at step application")
	assert.Contains(t, msg, `/tmp is "0 777 directory" (uid, mode, type), not a directory of root's that only root can change`)
	for _, c := range h.pctCalls() {
		assert.False(t, strings.HasPrefix(c, "push "), "nothing pushed: %s", c)
	}
	assert.Empty(t, h.leftRunFolders())
}

// A host script someone other than root could change is refused at
// preflight, in check mode and for real, naming the path, its owner or
// mode and the fix, before any state-changing pct call.
func TestUnsafeHostScriptsAreRefusedBeforeAnyChange(t *testing.T) {
	feature := "scripts/phoenix_hypervisor_feature_install_base_setup.sh"
	for _, c := range []struct {
		name string
		prep func(h *host) (app string, args map[string]any)
		want string
	}{
		{"feature script writable by its group", func(h *host) (string, map[string]any) {
			h.chmod(feature, 0o775)
			return "app.sh", nil
		}, "_base_setup.sh is writable by group or others (mode 0775): they could change what runs as root (chmod go-w "},
		{"feature script writable by others", func(h *host) (string, map[string]any) {
			h.chmod(feature, 0o757)
			return "app.sh", nil
		}, "_base_setup.sh is writable by group or others (mode 0757)"},
		{"feature script of another user", func(h *host) (string, map[string]any) {
			require.NoError(h.t, os.Chown(filepath.Join(h.dir, feature), 1000, 1000))
			return "app.sh", nil
		}, "_base_setup.sh belongs to uid 1000, not root: that user could change what runs as root (chown root "},
		{"feature folder writable by its group", func(h *host) (string, map[string]any) {
			h.chmod("scripts", 0o775)
			return "app.sh", nil
		}, "_base_setup.sh: its folder @SCRIPTS@ is writable by group or others (mode 0775)"},
		{"feature folder of another user", func(h *host) (string, map[string]any) {
			require.NoError(h.t, os.Chown(h.scripts, 1000, 1000))
			return "app.sh", nil
		}, "its folder @SCRIPTS@ belongs to uid 1000, not root"},
		{"feature folder sticky and writable by all", func(h *host) (string, map[string]any) {
			h.chmod("scripts", 0o777|os.ModeSticky)
			return "app.sh", nil
		}, "its folder @SCRIPTS@ is writable by group or others (mode 1777)"},
		{"a folder above writable by all, not sticky", func(h *host) (string, map[string]any) {
			require.NoError(h.t, os.Chmod(h.dir, 0o777))
			return "app.sh", nil
		}, "its folder @DIR@ is writable by group or others (mode 0777)"},
		{"feature script through a symlink", func(h *host) (string, map[string]any) {
			p := filepath.Join(h.dir, feature)
			require.NoError(h.t, os.Rename(p, p+".real"))
			require.NoError(h.t, os.Symlink(p+".real", p))
			return "app.sh", nil
		}, "_base_setup.sh is a symlink; give the real path"},
		{"application script writable by others", func(h *host) (string, map[string]any) {
			h.chmod("scripts/app.sh", 0o757)
			return "app.sh", nil
		}, "application_script \"app.sh\": host script @SCRIPTS@/app.sh is writable by group or others (mode 0757)"},
		{"application script through a symlink", func(h *host) (string, map[string]any) {
			require.NoError(h.t, os.Symlink(filepath.Join(h.scripts, "app.sh"), filepath.Join(h.scripts, "link.sh")))
			return "link.sh", nil
		}, "/scripts/link.sh is a symlink; give the real path"},
		{"application_script_dir /proc/self", func(h *host) (string, map[string]any) {
			return "environ", map[string]any{"application_script_dir": "/proc/self"}
		}, "host script /proc/self/environ: its folder /proc/self is a symlink"},
		{"application script on /proc", func(h *host) (string, map[string]any) {
			return "environ", map[string]any{"application_script_dir": "/proc/1"}
		}, "host script /proc/1/environ is on the proc pseudo-filesystem"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHost(t)
			app, args := c.prep(h)
			cfg := h.scriptCT(app)
			want := strings.NewReplacer("@SCRIPTS@", h.scripts, "@DIR@", h.dir).Replace(c.want)
			for _, check := range []bool{true, false} {
				full := map[string]any{"config_file": cfg, "_ansible_check_mode": check}
				for k, v := range args {
					full[k] = v
				}
				h.resetLog()
				res := h.run(full)
				require.Equal(t, true, res["failed"], "check=%v: %v", check, res["msg"])
				assert.Contains(t, res["msg"], "CT 910 failed at step preflight", "check=%v", check)
				assert.Contains(t, res["msg"], want, "check=%v", check)
				assert.Empty(t, h.mutations(), "check=%v: no state-changing pct call", check)
				assert.NoFileExists(t, filepath.Join(h.root, "etc/pve/lxc/910.conf"))
			}
		})
	}
}

func (h *host) chmod(rel string, mode os.FileMode) {
	require.NoError(h.t, os.Chmod(filepath.Join(h.dir, rel), mode))
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	require.NoError(t, err)
	return string(data)
}

// On real LXC: a user of the container (uid 1000) plants /tmp/phoenix_run
// as a symlink to /root; the application script still runs from a fresh
// root-owned 0700 folder, which is gone afterwards, and nothing is written
// where the symlink points.
func TestLXCRunFolderCannotBePreparedByAContainerUser(t *testing.T) {
	h := newLXCHost(t)
	const ct = 9160
	where := "#!/bin/sh\nd=$(dirname \"$0\")\nstat -c '%u %a' \"$d\" > /root/app.where\necho \"$d\" >> /root/app.where\n" +
		"test -f \"$d/phoenix_lxc_configs.json\" && echo spec >> /root/app.where\n"
	h.write("scripts/where.sh", where, 0o755)
	cfg := h.fleet(map[int]map[string]any{ct: {"name": "runfolder", "memory_mb": 128, "cores": 1, "template": "lxc:busybox",
		"unprivileged": true, "application_script": "where.sh"}})
	var seen []string
	for i := 0; i < 2; i++ {
		if i == 1 {
			h.attach(ct, "sh", "-c", "ln -s /root /tmp/phoenix_run && chown -h 1000:1000 /tmp/phoenix_run")
			h.write("scripts/where.sh", where+"# changed: runs again\n", 0o755)
		}
		res := h.run(cfg, nil)
		require.Equal(t, false, res["failed"], res["msg"])
		got := strings.Split(h.attach(ct, "cat", "/root/app.where"), "\n")
		require.Len(t, got, 3, "%q", got)
		assert.Equal(t, "0 700", got[0], "the folder is root's, mode 0700")
		assert.Regexp(t, runFolderRe, got[1])
		assert.Equal(t, "spec", got[2])
		assert.NotContains(t, seen, got[1], "a fresh folder each run")
		seen = append(seen, got[1])
		assert.Equal(t, "", h.attach(ct, "sh", "-c", "ls -d /tmp/phoenix_run.* 2>/dev/null; true"), "no run folder is left")
	}
	assert.Equal(t, "/root", h.attach(ct, "readlink", "/tmp/phoenix_run"), "the planted symlink is left alone")
	assert.Equal(t, "app.where", h.attach(ct, "ls", "/root"), "nothing was written where it points")
}
