package pipeline

import (
	"context"
	"testing"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shadowReader is a backend whose Capture answers stdout and err.
type shadowReader struct {
	backend.Backend
	argv   []string
	stdout string
	err    error
}

func (s *shadowReader) Capture(_ int, argv []string, out *string) backend.Action {
	s.argv = argv
	return backend.Action{Argv: argv, Do: func(context.Context) error {
		*out = s.stdout
		return s.err
	}}
}

func TestShadowHashPicksRootsEntry(t *testing.T) {
	b := &shadowReader{stdout: "daemon:*:19000:0:99999:7:::\nroot:$6$salt$hash:19000:0:99999:7:::\nrooty:x:1::::::\n"}
	got, err := shadowHash(context.Background(), b, 901)
	require.NoError(t, err)
	assert.Equal(t, "$6$salt$hash", got)
	assert.Equal(t, []string{"cat", "/etc/shadow"}, b.argv)

	b.stdout = "daemon:*:19000:0:99999:7:::\n"
	got, err = shadowHash(context.Background(), b, 901)
	require.NoError(t, err)
	assert.Empty(t, got, "no entry for root")
}

// A failed read says which command failed and what it wrote on stderr,
// never what it wrote on stdout (part of the shadow file).
func TestShadowHashErrorNeverHoldsWhatWasRead(t *testing.T) {
	b := &shadowReader{stdout: "root:$6$salt$secrethash:19000::::::\n",
		err: &runner.Error{Argv: []string{"pct", "exec", "901", "--", "cat", "/etc/shadow"}, ExitCode: 1, Stdout: "root:$6$salt$secrethash:19000::::::\n"}}
	_, err := shadowHash(context.Background(), b, 901)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "secrethash")
	assert.Contains(t, err.Error(), "pct exec 901 -- cat /etc/shadow")

	b.err = &runner.Error{Argv: []string{"pct", "exec", "901", "--", "cat", "/etc/shadow"}, ExitCode: 1, Stderr: "cat: /etc/shadow: No such file or directory"}
	_, err = shadowHash(context.Background(), b, 901)
	assert.Contains(t, err.Error(), "No such file or directory")
}
