package module

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pipeline"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// fake records what the module hands to the pipeline and the backend.
type fake struct {
	opened  bool
	req     *pipeline.Request
	result  pipeline.Result
	openErr error
}

func (f *fake) deps() Deps {
	host := ReadHost()
	host.SubUID, host.SubGID = "../testdata/subid", "../testdata/subid" // root:100000:65536
	return Deps{
		Converge: func(_ context.Context, r pipeline.Request) pipeline.Result {
			f.req = &r
			return f.result
		},
		OpenBackend: func(string, runner.Runner, Host, Node) (backend.Backend, error) {
			f.opened = true
			return nil, f.openErr
		},
		Hostname: func(Host) (string, error) { return "pve1", nil },
		Host:     host,
		Euid:     func() int { return 0 },
	}
}

// runArgs writes args (with @DIR@ replaced by a temp dir holding files) to
// an args file and runs the module on it, the way Ansible does. It checks
// that stdout is exactly one JSON object.
func runArgs(t *testing.T, args string, files map[string]string, d Deps) (map[string]any, int, string) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "args")
	if args != "<missing>" {
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(args, "@DIR@", dir)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	code := Module(context.Background(), path, &stdout, &stderr, d)
	return oneObject(t, stdout.Bytes()), code, stderr.String()
}

// oneObject decodes stdout and fails unless it is exactly one JSON object.
func oneObject(t *testing.T, out []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber() // the invocation echoes any number given, 1e400 too
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, out)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		t.Fatalf("stdout holds more than one JSON value:\n%s", out)
	}
	return obj
}
