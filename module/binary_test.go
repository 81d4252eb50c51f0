package module

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildBinary builds phoenix_lxc the way make build does, into a temp dir.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "phoenix_lxc")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "..")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// The built binary, run as Ansible runs it (binary ARGSFILE), prints one
// JSON object and exits 1 on a bad task; the CLI commands work too.
func TestBinaryAsAnsibleRunsIt(t *testing.T) {
	bin := buildBinary(t)
	args := filepath.Join(t.TempDir(), "args")
	if err := os.WriteFile(args, []byte(`{"ctid": 9100, "config_file": "../testdata/fleet.json", "stat": "present", "_ansible_check_mode": true, "_ansible_version": "2.14.18"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("want exit 1, got %v", err)
	}
	obj := oneObject(t, stdout.Bytes())
	if obj["failed"] != true || !strings.Contains(obj["msg"].(string), `stat: unknown field (did you mean "state"?)`) {
		t.Errorf("got %v", obj)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr without verbosity: %q", stderr.String())
	}

	out, err := exec.Command(bin, "validate", "../testdata/fleet.json", "--hypervisor-config", "../testdata/hypervisor.json").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ok (3 containers)") {
		t.Errorf("validate: %v\n%s", err, out)
	}
	out, err = exec.Command(bin, "schema", "args").Output()
	if err != nil || !bytes.Equal(out, mustRead(t, "../schema/module_args.schema.json")) {
		t.Errorf("schema args: %v", err)
	}
	out, _ = exec.Command(bin, "version").Output()
	if !strings.HasPrefix(string(out), "phoenix_lxc dev (go") {
		t.Errorf("version: %q", out)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The schema reflection library is a generate-time tool: it must not be
// linked into the module, which Ansible copies to the target every task.
func TestSchemaGeneratorNotLinked(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "..").Output()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "invopop/jsonschema") {
		t.Error("github.com/invopop/jsonschema is linked into phoenix_lxc; only schema/gen may import it")
	}
}

// The collection's action plugin runs the binary as "phoenix_lxc -" with
// the args on stdin: the same answer as from an args file, and a useful
// error when stdin holds no JSON object.
func TestBinaryReadsArgsFromStdin(t *testing.T) {
	bin := buildBinary(t)
	run := func(stdin string) (map[string]any, int) {
		var stdout bytes.Buffer
		cmd := exec.Command(bin, "-")
		cmd.Stdin, cmd.Stdout = strings.NewReader(stdin), &stdout
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return oneObject(t, stdout.Bytes()), code
	}
	obj, code := run(`{"ctid": 9100, "config_file": "../testdata/fleet.json", "stat": "present", "_ansible_check_mode": true}`)
	if code != 1 || obj["failed"] != true || !strings.Contains(obj["msg"].(string), `stat: unknown field (did you mean "state"?)`) {
		t.Errorf("args on stdin: exit %d, %v", code, obj)
	}
	obj, code = run(`[1]`)
	if code != 1 || !strings.Contains(obj["msg"].(string), "args on stdin: want a JSON object") {
		t.Errorf("an array on stdin: exit %d, %v", code, obj)
	}
}
