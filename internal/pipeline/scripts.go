package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// recorded is st with one more record, as a Record action leaves it.
func recorded(st *backend.State, key, value string) *backend.State {
	p := *st
	p.Records = map[string]string{key: value}
	for k, v := range st.Records {
		if k != key {
			p.Records[k] = v
		}
	}
	return &p
}

// FeatureScript is the host script that installs a feature into a container.
func FeatureScript(dir, feature string) string {
	return filepath.Join(dir, "phoenix_hypervisor_feature_install_"+feature+".sh")
}

// featuresStep runs each feature's host script once per script content; the
// content hash is recorded on the container, so a rerun skips it and a
// changed script runs again.
func featuresStep(ctx context.Context, x *converger) error {
	for i, f := range x.spec.Features {
		path := FeatureScript(x.req.FeatureScriptDir, f)
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("features[%d] %q: cannot read its host script: %v (set feature_script_dir)", i, f, err)
		}
		key, sum := "feature:"+f, hash(data)
		if x.st.Records[key] == sum {
			continue
		}
		argv := []string{path, strconv.Itoa(x.ctid)}
		run := backend.Action{Name: "feature", Argv: argv, Why: "feature " + f + " not applied with this script yet",
			Do: func(ctx context.Context) error {
				_, err := x.req.Runner.Run(ctx, runner.Cmd{Argv: argv})
				return err
			}}
		if err := x.apply(ctx, []backend.Action{run, x.req.Backend.Record(x.st, key, sum)}, recorded(x.st, key, sum)); err != nil {
			return err
		}
	}
	return nil
}

// appInputs is what an application consumes of its spec, the part its
// record hashes: everything but what the pipeline itself converges
// (memory, swap, cores, disk size, boot order, network, firewall, health
// check) and the secrets, so that raising memory_mb does not reinstall
// the application. The pushed spec stays whole.
func appInputs(pub *schema.Spec) []byte {
	in := pub.Clone()
	in.MemoryMB, in.SwapMB, in.Cores, in.StorageSizeGB = 0, nil, 0, 0
	in.StartAtBoot, in.BootOrder, in.BootDelay = nil, nil, nil
	in.NetworkConfig, in.MACAddress, in.Networks, in.Firewall, in.HealthCheck = nil, "", nil, nil, nil
	data, _ := json.Marshal(in)
	return data
}

// runTemplate is the mktemp template of the application's run folder
// inside the container. Plans show it as is: the folder's real name exists
// only once mktemp has made it.
const runTemplate = "/tmp/phoenix_run.XXXXXXXXXX"

// runName is what mktemp may answer for runTemplate (coreutils fills every
// X, busybox the last six).
var runName = regexp.MustCompile(`^/tmp/phoenix_run\.[A-Za-z0-9]{10}$`)

// applicationStep pushes the application script and the container's spec
// (secrets removed) into a fresh run folder inside the container, runs it,
// checks health, removes the folder, and records the hash of both, so an
// unchanged script does not run again.
func applicationStep(ctx context.Context, x *converger) error {
	name := x.spec.ApplicationScript
	if name == "" {
		return nil
	}
	script, err := os.ReadFile(filepath.Join(x.req.ApplicationScriptDir, name))
	if err != nil {
		return fmt.Errorf("application_script %q: %v (set application_script_dir)", name, err)
	}
	pub := x.spec.Clone()
	pub.Password, pub.SSHPublicKeys = "", nil
	cfg, _ := json.MarshalIndent(map[string]any{"lxc_configs": map[string]any{strconv.Itoa(x.ctid): pub}}, "", "  ")
	key, sum := "application:"+name, hash(append(append([]byte{}, script...), appInputs(pub)...))
	if x.st.Records[key] == sum {
		return nil
	}
	b := x.req.Backend
	dir := &runFolder{b: b, ctid: x.ctid}
	acts := []backend.Action{
		dir.make(),
		dir.check(),
		dir.at(func(d string) backend.Action { return b.Push(x.ctid, script, d+"/"+name, "0755") }),
		dir.at(func(d string) backend.Action { return b.Push(x.ctid, cfg, d+"/phoenix_lxc_configs.json", "0600") }),
		dir.at(func(d string) backend.Action {
			return b.Exec(x.ctid, []string{d + "/" + name, strconv.Itoa(x.ctid)}, nil)
		}),
	}
	if hc := x.spec.HealthCheck; hc != nil {
		acts = append(acts, healthCheck(x, hc.Command, hc.Retries, hc.Interval))
	}
	err = x.apply(ctx, acts, nil)
	if err != nil && dir.path == "" {
		return err // no folder was made: nothing to remove
	}
	rm := dir.at(func(d string) backend.Action { return b.Exec(x.ctid, []string{"rm", "-rf", d}, nil) })
	if rmErr := x.apply(ctx, []backend.Action{rm}, nil); err == nil {
		err = rmErr
	}
	if err != nil {
		return err
	}
	return x.apply(ctx, []backend.Action{b.Record(x.st, key, sum)}, nil)
}

// runFolder is the application's run folder inside the container. mktemp
// makes it fresh, as root, mode 0700, with a name nobody can prepare, and
// it is checked before anything goes in: no other user of the container
// can enter it, plant a symlink in it, or swap the script between push and
// exec.
type runFolder struct {
	b    backend.Backend
	ctid int
	path string // the folder, once mktemp has made it
}

// make plans mktemp -d; the folder's name is read from its output.
func (f *runFolder) make() backend.Action {
	var out string
	a := f.b.Capture(f.ctid, []string{"mktemp", "-d", runTemplate}, &out)
	a.Name, a.Why = "mktemp", "a fresh private folder for the application script"
	do := a.Do
	a.Do = func(ctx context.Context) error {
		if err := do(ctx); err != nil {
			return err
		}
		p := strings.TrimSpace(out)
		if !runName.MatchString(p) {
			return fmt.Errorf("mktemp -d %s answered %q, not a folder of that name", runTemplate, p)
		}
		f.path = p
		return nil
	}
	return a
}

// check plans reading, from inside the container, the owner, mode and type
// of the folder and of each folder above it (stat does not follow a
// symlink), and refuses unless only root can change any of them.
func (f *runFolder) check() backend.Action {
	return f.at(func(d string) backend.Action {
		var out string
		a := f.b.Capture(f.ctid, []string{"stat", "-c", "%u %a %F", "/", path.Dir(d), d}, &out)
		a.Name, a.Why = "check", "the folder must be root's, mode 0700, in folders only root can change"
		do := a.Do
		a.Do = func(ctx context.Context) error {
			if err := do(ctx); err != nil {
				return err
			}
			return checkRunFolder(d, out)
		}
		return a
	})
}

// at plans mk's action on the folder: shown with runTemplate, run on the
// folder mktemp made.
func (f *runFolder) at(mk func(dir string) backend.Action) backend.Action {
	a := mk(runTemplate)
	a.Do = func(ctx context.Context) error {
		if f.path == "" {
			return errors.New("no run folder was made")
		}
		return mk(f.path).Do(ctx)
	}
	return a
}

// checkRunFolder reads stat's "uid mode type" lines for /, /tmp and the
// folder: all root's directories, the folder mode 0700, the folders above
// writable by root alone or sticky (in a sticky folder nobody but root
// can rename or remove root's entries).
func checkRunFolder(dir, out string) error {
	paths := []string{"/", path.Dir(dir), dir}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(paths) {
		return fmt.Errorf("run folder %s: stat answered %q, want one line for each of %v", dir, out, paths)
	}
	for i, l := range lines {
		uid, rest, _ := strings.Cut(l, " ")
		perm, kind, _ := strings.Cut(rest, " ")
		mode, err := strconv.ParseUint(perm, 8, 32)
		safe := mode&0o022 == 0 || mode&0o1000 != 0 // writable by root alone, or sticky
		if i == len(paths)-1 {
			safe = mode == 0o700
		}
		ok := err == nil && uid == "0" && kind == "directory" && safe
		if !ok {
			return fmt.Errorf("run folder %s inside the container: %s is %q (uid, mode, type), not a directory of root's that only root can change; "+
				"nothing was pushed (a user of the container could redirect or swap what goes in; fix the container's %s)", dir, paths[i], l, paths[i])
		}
	}
	return nil
}

// healthCheck runs the check command inside the container until it passes,
// at most 1+retries times, interval seconds apart (both bounded by the
// schema). A command that cannot run there (exit 126: not executable, 127:
// not found) fails at once, as no retry can help; so does a try that was
// killed or could not start. The failure shows the end of the last try's
// stdout and stderr.
func healthCheck(x *converger, command string, retries, interval int) backend.Action {
	if retries == 0 {
		retries = 3
	}
	if interval == 0 {
		interval = 5
	}
	argv := strings.Fields(command)
	try := x.req.Backend.Exec(x.ctid, argv, nil)
	try.Name, try.Why = "health_check", fmt.Sprintf("up to %d tries, %ds apart", retries+1, interval)
	do := try.Do
	try.Do = func(ctx context.Context) error {
		for i := 1; ; i++ {
			err := do(ctx)
			var re *runner.Error
			switch {
			case err == nil:
				return nil
			case !errors.As(err, &re) || re.ExitCode < 0 || re.Stopped != nil || re.TimedOut > 0:
				return err
			case re.ExitCode == 126 || re.ExitCode == 127:
				return checkFailed(fmt.Sprintf("health_check cannot run inside the container (exit %d, %s), not retried", re.ExitCode, cannotRun[re.ExitCode]), re, err)
			case i > retries:
				return checkFailed(fmt.Sprintf("health_check failed after %d tries (exit %d)", i, re.ExitCode), re, err)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(interval) * time.Second):
			}
		}
	}
	return try
}

// cannotRun says what the shell's exit codes for a command that never ran mean.
var cannotRun = map[int]string{126: "not executable", 127: "command not found"}

// checkFailed is a failed health check: msg, the command, and the end of
// what it printed; it wraps err.
func checkFailed(msg string, re *runner.Error, err error) error {
	msg += ": " + runner.Quote(re.Argv)
	printed := false
	for _, out := range []struct{ name, text string }{{"stdout", re.Stdout}, {"stderr", re.Stderr}} {
		if b := runner.Brief(out.text); b != "" {
			msg += "; " + out.name + ": " + strings.ReplaceAll(b, "\n", " / ")
			printed = true
		}
	}
	if !printed {
		msg += "; it printed nothing"
	}
	return &wrapped{msg: msg, err: err}
}

// wrapped is an error with its own message that still unwraps to err.
type wrapped struct {
	msg string
	err error
}

func (w *wrapped) Error() string { return w.msg }
func (w *wrapped) Unwrap() error { return w.err }

func hash(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}
