package runner

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestHelperRunsSleep is not a test: TestToolDiesWithTheModule runs the test
// binary as a stand-in module that starts a long sleep through Exec.
func TestHelperRunsSleep(t *testing.T) {
	if os.Getenv("RUNNER_HELPER") != "1" {
		t.Skip("helper process only")
	}
	_, _ = Exec{}.Run(context.Background(), Cmd{Argv: []string{"sleep", "300"}})
}

func TestToolDiesWithTheModule(t *testing.T) {
	helper := exec.Command(os.Args[0], "-test.run=^TestHelperRunsSleep$")
	helper.Env = append(os.Environ(), "RUNNER_HELPER=1")
	require.NoError(t, helper.Start())
	var child int
	for deadline := time.Now().Add(10 * time.Second); child == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		child = childOf(helper.Process.Pid)
	}
	require.NotZero(t, child, "the stand-in module started its tool")
	require.NoError(t, helper.Process.Signal(syscall.SIGKILL))
	_ = helper.Wait()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if syscall.Kill(child, 0) != nil || isZombie(child) {
			return
		}
	}
	_ = syscall.Kill(child, syscall.SIGKILL)
	t.Fatalf("tool %d outlived the killed module", child)
}

// childOf finds a process whose parent is pid, by reading /proc.
func childOf(pid int) int {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			return n
		}
	}
	return 0
}

func isZombie(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	return len(f) > 0 && f[0] == "Z"
}
