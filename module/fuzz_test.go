package module

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pipeline"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// FuzzModuleArgs feeds any bytes to the module as its args file: it never
// panics, always prints exactly one JSON object, and exits 0 or 1. The
// backend and the pipeline are fakes, so nothing runs on the host.
func FuzzModuleArgs(f *testing.F) {
	for _, seed := range []string{
		`{"ctid": 9100, "container": {"name": "web", "template": "local:vztmpl/d.tar.zst"}}`,
		`{"ctids": "all", "config_file": "../testdata/fleet.json", "_ansible_check_mode": true}`,
		`{"ctid": 9100, "container": {"name": "web", "template": "t", "idmap": ["u 0 100000 65536", "g 0 100000 65536"],
		  "shared_volumes": [{"host_path": "/srv/a", "mount_path": "/a", "owner": "1000:1000"}], "password": "s3cret-pw"}}`,
		`{"ctid": 9100, "ctid": 1}`, `[]`, `"x"`, `{}`, ``, `{"a": [[[[1]]]]}`, "{\"ctid\": 1e400}",
	} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	d := Deps{
		Converge: func(context.Context, pipeline.Request) pipeline.Result {
			return pipeline.Result{Msg: "fake converge"}
		},
		OpenBackend: func(string, runner.Runner, Host, Node) (backend.Backend, error) { return nil, nil },
		Hostname:    func(Host) (string, error) { return "pve1", nil },
		Host:        ReadHost(),
		Euid:        func() int { return 0 },
	}
	f.Fuzz(func(t *testing.T, args []byte) {
		path := filepath.Join(dir, "args")
		if err := os.WriteFile(path, args, 0o600); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		code := Module(context.Background(), path, &stdout, &stderr, d)
		if code != 0 && code != 1 {
			t.Fatalf("exit %d", code)
		}
		dec := json.NewDecoder(bytes.NewReader(stdout.Bytes()))
		dec.UseNumber() // the invocation echoes any number given, 1e400 too
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			t.Fatalf("stdout is not a JSON object: %v\n%q", err, stdout.String())
		}
		if err := dec.Decode(new(json.RawMessage)); !errors.Is(err, io.EOF) {
			t.Fatalf("stdout holds more than one JSON value: %q", stdout.String())
		}
		if _, ok := obj["failed"].(bool); !ok {
			t.Fatalf("no failed field: %v", obj)
		}
		if (code == 1) != (obj["failed"] == true) {
			t.Fatalf("exit %d disagrees with failed=%v", code, obj["failed"])
		}
		if bytes.Contains(stderr.Bytes(), []byte("panic")) {
			t.Fatalf("panicked: %s", stderr.String())
		}
	})
}
