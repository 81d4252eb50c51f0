package runner

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A message shows the end of an output: its last lines, bounded in bytes,
// marked when anything came before.
func TestBriefKeepsTheEnd(t *testing.T) {
	assert.Equal(t, "", Brief(" \n"))
	assert.Equal(t, "one\ntwo", Brief("one\ntwo\n"))
	many := strings.Repeat("line\n", 50) + "last\n"
	assert.Equal(t, "..."+strings.Repeat("line\n", BriefLines-1)+"last", Brief(many))
	long := strings.Repeat("x", 10*BriefBytes) + "é\nend"
	got := Brief(long)
	assert.True(t, strings.HasPrefix(got, "...x") && strings.HasSuffix(got, "é\nend"), got)
	assert.LessOrEqual(t, len(got), BriefBytes+3)

	err := &Error{Argv: []string{"app"}, ExitCode: 1, Stderr: many}
	assert.Equal(t, "command failed (exit 1): app: "+Brief(many), err.Error())
}

// Echo writes each command with its exit code and output, and passes the
// result on unchanged.
func TestEchoShowsCommandsAndOutput(t *testing.T) {
	var log strings.Builder
	res, err := Echo{R: Exec{}, W: &log}.Run(context.Background(), Cmd{Argv: []string{"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}})
	require.Error(t, err)
	assert.Equal(t, 3, res.ExitCode)
	assert.Contains(t, log.String(), "    $ /bin/sh -c 'echo out; echo err >&2; exit 3'  (exit 3, ")
	assert.Contains(t, log.String(), "    | out\n    ! err\n")
}
