package module

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pipeline"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// hostileDir holds the hostile-input corpus: NAME.json is a module args
// file (with @HOSTILE@ standing for this folder's absolute path), and
// NAME.expect lists, one per line, substrings its msg must contain (the
// field path first); a line starting with '!' is text the msg must NOT
// contain, such as a secret. Files ending in .json.in are config files the
// cases point at, not cases themselves.
const hostileDir = "../testdata/hostile"

// refusingDeps fail the test if the module opens a backend or converges:
// hostile input must be stopped at validation, before anything can run.
func refusingDeps(t *testing.T, calls *int) Deps {
	return Deps{
		Converge: func(context.Context, pipeline.Request) pipeline.Result {
			*calls++
			t.Error("the pipeline ran on hostile input")
			return pipeline.Result{}
		},
		OpenBackend: func(string, runner.Runner, Host, Node) (backend.Backend, error) {
			*calls++
			t.Error("a backend was opened on hostile input")
			return nil, os.ErrPermission
		},
		Hostname: func(Host) (string, error) { return "pve1", nil },
		Host:     ReadHost(),
		Euid:     func() int { return 0 },
	}
}

// knownGaps are cases rejected safely (exit 1, nothing run) whose msg does
// not yet name the field; each says why. Remove an entry once it is fixed.
var knownGaps = map[string]string{}

// rejectHostile runs the module on args the way Ansible does and asserts
// a validation failure: exit 1, failed:true, exactly one JSON object, every
// expected substring in msg, no forbidden one, nothing opened or run.
func rejectHostile(t *testing.T, name string, args []byte, expect []string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "args")
	if err := os.WriteFile(path, args, 0o600); err != nil {
		t.Fatal(err)
	}
	calls := 0
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{path}, &stdout, &stderr, "test", refusingDeps(t, &calls))
	obj := oneObject(t, stdout.Bytes())
	if code != 1 || obj["failed"] != true {
		t.Fatalf("want failed:true and exit 1, got exit %d: %v", code, obj)
	}
	msg, _ := obj["msg"].(string)
	gap := knownGaps[name]
	for _, e := range expect {
		if not, ok := strings.CutPrefix(e, "!"); ok {
			if strings.Contains(msg, not) || strings.Contains(stdout.String(), not) || strings.Contains(stderr.String(), not) {
				t.Errorf("output contains %q, which it must not:\n%s", not, stdout.String())
			}
		} else if !strings.Contains(msg, e) && gap != "" {
			t.Logf("known gap, msg lacks %q: %s", e, gap)
		} else if !strings.Contains(msg, e) {
			t.Errorf("msg lacks %q:\n%.2000s", e, msg)
		}
	}
	if calls != 0 {
		t.Errorf("%d backend opens or converge calls on hostile input", calls)
	}
}

func TestHostileCorpusIsRejectedAtValidation(t *testing.T) {
	abs, err := filepath.Abs(hostileDir)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := filepath.Glob(filepath.Join(abs, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 60 {
		t.Fatalf("the hostile corpus has %d cases, want at least 60", len(cases))
	}
	for _, c := range cases {
		name := strings.TrimSuffix(filepath.Base(c), ".json")
		t.Run(name, func(t *testing.T) {
			args, err := os.ReadFile(c)
			if err != nil {
				t.Fatal(err)
			}
			exp, err := os.ReadFile(strings.TrimSuffix(c, ".json") + ".expect")
			if err != nil {
				t.Fatalf("every case needs a NAME.expect with the field path: %v", err)
			}
			expect := strings.Split(strings.TrimSpace(string(exp)), "\n")
			if expect[0] == "" {
				t.Fatal("NAME.expect is empty: give at least the field path")
			}
			rejectHostile(t, name, bytes.ReplaceAll(args, []byte("@HOSTILE@"), []byte(abs)), expect)
		})
	}
}

// A document of several megabytes is rejected like a small one, naming the
// field. (The rejected value is echoed in msg in full, 4 MiB here.)
func TestHugeDocumentIsRejected(t *testing.T) {
	huge := strings.Repeat("a", 4<<20)
	args := []byte(`{"ctid": 9100, "container": {"name": "` + huge + `", "template": "t"}}`)
	rejectHostile(t, "huge-name", args, []string{"container.name"})

	var many strings.Builder
	many.WriteString(`{"ctid": 9100, "container": {"name": "web", "template": "t", "ports": [`)
	for i := 0; i < 300000; i++ {
		if i > 0 {
			many.WriteString(",")
		}
		many.WriteString(`"8080:80"`)
	}
	many.WriteString(`], "cores": -1}}`)
	rejectHostile(t, "huge-list", []byte(many.String()), []string{"container.cores"})
}
