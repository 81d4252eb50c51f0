package runner

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Echo runs commands through R and writes each one's command line, exit
// code and output to W once it has finished (phoenix_lxc run -v): stdout
// lines marked "| ", stderr lines "! ". Stdin is never written: it may
// hold a secret.
type Echo struct {
	R Runner
	W io.Writer
}

// Run runs c through e.R and echoes it.
func (e Echo) Run(ctx context.Context, c Cmd) (Result, error) {
	res, err := e.R.Run(ctx, c)
	var b strings.Builder
	fmt.Fprintf(&b, "    $ %s  (exit %d, %d ms)\n", Quote(c.Argv), res.ExitCode, res.Duration.Milliseconds())
	for _, out := range []struct {
		mark string
		text []byte
	}{{"    | ", res.Stdout}, {"    ! ", res.Stderr}} {
		if text := strings.TrimRight(string(out.text), "\n"); text != "" {
			b.WriteString(out.mark + strings.ReplaceAll(text, "\n", "\n"+out.mark) + "\n")
		}
	}
	_, _ = io.WriteString(e.W, b.String())
	return res, err
}
