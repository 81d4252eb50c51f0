package conf

import (
	"fmt"
	"io"
	"os"
)

const usage = `usage: phoenix_lxc conf fmt FILE    print FILE in pct's canonical form
       phoenix_lxc conf check FILE  report what pct would warn about or refuse
`

// Main runs `phoenix_lxc conf fmt FILE` and `phoenix_lxc conf check FILE`;
// args are the words after "conf". It returns the exit code: 0 when all is
// well, 1 when check found problems, 2 on a usage or read error.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if len(args) != 2 || (args[0] != "fmt" && args[0] != "check") {
		fmt.Fprint(stderr, usage)
		return 2
	}
	file := args[1]
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stderr, "conf %s: %v\n", args[0], err)
		return 2
	}
	if args[0] == "fmt" {
		stdout.Write(Fmt(data))
		return 0
	}
	ws := Check(data)
	for _, w := range ws {
		fmt.Fprintf(stdout, "%s:%d: %s\n", file, w.Line, w.Msg)
	}
	if len(ws) > 0 {
		return 1
	}
	fmt.Fprintf(stdout, "%s: ok\n", file)
	return 0
}
