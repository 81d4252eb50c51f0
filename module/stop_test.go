package module

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pipeline"
)

// A run stopped by a signal before it changed anything fails saying so,
// without opening the backend.
func TestStoppedBeforeConvergeOpensNothing(t *testing.T) {
	f := &fake{}
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("stopped by SIGTERM"))
	path := filepath.Join(t.TempDir(), "args")
	if err := os.WriteFile(path, []byte(inline("")), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := Module(ctx, path, &stdout, &stderr, f.deps())
	obj := oneObject(t, stdout.Bytes())
	if code != 1 || obj["failed"] != true || obj["msg"] != "stopped by SIGTERM before anything was done" {
		t.Fatalf("exit %d: %v", code, obj)
	}
	if f.opened || f.req != nil {
		t.Error("the backend was opened or the pipeline ran after the stop")
	}
}

// A run stopped while converging prints the pipeline's result, failed,
// its msg led by the cause.
func TestStoppedWhileConvergingFails(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	d := (&fake{}).deps()
	d.Converge = func(context.Context, pipeline.Request) pipeline.Result {
		cancel(errors.New("stopped by SIGINT"))
		return pipeline.Result{Changed: true, Msg: "Done: 9100."}
	}
	path := filepath.Join(t.TempDir(), "args")
	if err := os.WriteFile(path, []byte(inline("")), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := Module(ctx, path, &stdout, &stderr, d)
	obj := oneObject(t, stdout.Bytes())
	msg, _ := obj["msg"].(string)
	if code != 1 || obj["failed"] != true || !strings.HasPrefix(msg, "stopped by SIGINT: the commands under way were killed") || !strings.HasSuffix(msg, "Done: 9100.") {
		t.Fatalf("exit %d: %v", code, obj)
	}
}

// An args file that is a device or a FIFO is refused at once, in one JSON
// object, without reading it or blocking on it.
func TestArgsFileMustBeARegularFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"/dev/zero": "a character device", fifo: "a FIFO", t.TempDir(): "a folder"} {
		var stdout, stderr bytes.Buffer
		start := time.Now()
		code := Module(context.Background(), path, &stdout, &stderr, (&fake{}).deps())
		obj := oneObject(t, stdout.Bytes())
		msg, _ := obj["msg"].(string)
		if code != 1 || !strings.Contains(msg, "args file "+path+": cannot read it: "+path+" is "+want+", not a regular file") {
			t.Errorf("%s: exit %d: %v", path, code, obj)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("%s: took %v", path, took)
		}
	}
}
