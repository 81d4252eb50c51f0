package module

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pipeline"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// ctidList is --ctid: repeatable, and each value may be a comma list.
type ctidList []int

func (c *ctidList) String() string { return fmt.Sprint(*c) }

func (c *ctidList) Set(v string) error {
	for _, f := range strings.Split(v, ",") {
		n, err := schema.ParseCTIDText(strings.TrimSpace(f))
		if err != nil {
			return err
		}
		*c = append(*c, n)
	}
	return nil
}

// runUsage heads the help of phoenix_lxc run.
const runUsage = `usage: phoenix_lxc run [flags]

Converges containers as the module does, with its options as flags, and
prints a step-by-step report (--json: the module's JSON). Progress goes to
stderr; -v adds every command's output there (stdout lines "| ", stderr "! ").

Flags:
`

// Run is phoenix_lxc run: the module's options as flags, validated the same
// way, with a readable report (or the module's JSON with --json).
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, d Deps) int {
	fs := flag.NewFlagSet("phoenix_lxc run", flag.ContinueOnError)
	var ctids ctidList
	fs.Var(&ctids, "ctid", "container to converge (repeatable, or a comma list)")
	fs.String("config", "", "config file (phoenix_lxc_configs.json)")
	fs.String("hypervisor-config", "", "hypervisor config; only its shared_volumes are read")
	all := fs.Bool("all", false, "converge every container of --config")
	fs.String("state", DefaultState, "present, stopped or absent (absent needs no --config: it destroys the CTIDs given, in that order)")
	fs.String("backend", DefaultBackend, "auto, pct or lxc")
	check := fs.Bool("check", false, "change nothing, report what would be done")
	diff := fs.Bool("diff", false, "show the container config before and after")
	fs.Bool("allow-restart", false, "may restart a running container to apply a change")
	fs.String("node", "", "this host's node name (default: the host name)")
	fs.String("feature-script-dir", "", "folder of feature scripts (default "+DefaultScriptDir+")")
	fs.String("application-script-dir", "", "folder of application scripts (default "+DefaultScriptDir+")")
	fs.Int("command-timeout", DefaultCommandTimeout, "seconds before an external command is killed")
	fs.Int("lock-timeout", DefaultLockTimeout, "seconds to wait for another run on the same container")
	fs.Int("parallel", DefaultParallel, "containers converged at once (1: one at a time, in dependency order)")
	fs.Bool("fail-fast", false, "start no further container after the first failure")
	asJSON := fs.Bool("json", false, "print the module's JSON result instead of the report")
	verbose := fs.Bool("v", false, "print progress and every command's output on stderr")
	rest, code, ok := parseFlags(fs, args, runUsage, stdout, stderr)
	if !ok {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "phoenix_lxc run: unexpected argument %q (flags only)\n", rest[0])
		return 2
	}
	opts := map[string]any{}
	for option, name := range optionFlags {
		if v := fs.Lookup(name).Value.(flag.Getter).Get(); v != "" && v != false {
			opts[option] = v
		}
	}
	switch {
	case *all:
		opts["ctids"] = "all"
	case len(ctids) == 1:
		opts["ctid"] = ctids[0]
	case len(ctids) > 1:
		opts["ctids"] = []int(ctids)
	}
	out := &output{}
	var l logs
	if *verbose || !*asJSON {
		l.progress = secretFree{stderr, out}
	}
	if *verbose {
		l.commands = secretFree{stderr, out}
	}
	step := ""
	plan, res, err := execute(ctx, opts, Ansible{CheckMode: *check, Diff: *diff}, d, l, out, &step)
	if *asJSON {
		if err != nil {
			return out.fail(stdout, err.Error())
		}
		return out.result(stdout, plan, res)
	}
	if err != nil {
		fmt.Fprintln(stdout, scrubText(cliError(err), out.secrets))
		return 1
	}
	report(stdout, plan, res, out)
	if res.Failed {
		return 1
	}
	return 0
}

// secretFree writes to w with the run's secrets scrubbed; they are known once
// the fleet is loaded, before anything is written.
type secretFree struct {
	w   io.Writer
	out *output
}

func (s secretFree) Write(p []byte) (int, error) {
	if _, err := io.WriteString(s.w, scrubText(string(p), s.out.secrets)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// report prints the result for a person: per container, each action with
// its command, done or planned, and duration; then a summary.
func report(w io.Writer, p *Job, res pipeline.Result, out *output) {
	var b strings.Builder
	for _, warn := range append(append([]string{}, p.Warnings...), res.Warnings...) {
		fmt.Fprintf(&b, "warning: %s\n", warn)
	}
	for _, c := range res.Containers {
		fmt.Fprintf(&b, "%s\n", strings.TrimSpace(fmt.Sprintf("== %d %s", c.CTID, c.Name))) // no name without a spec
		for _, a := range c.Actions {
			status := "planned"
			if a.Done {
				status = "done"
			}
			if a.Error != "" {
				status = "FAILED"
			}
			took := ""
			if a.Done || a.Error != "" {
				took = fmt.Sprintf(" (%.0f ms)", a.DurationMS)
			}
			fmt.Fprintf(&b, "  %-8s %-14s %s%s\n", status, a.Step, a.Action, took)
			if a.Command != "" {
				fmt.Fprintf(&b, "           $ %s\n", a.Command)
			}
			if a.Error != "" {
				fmt.Fprintf(&b, "           error: %s\n", strings.ReplaceAll(a.Error, "\n", "\n           "))
			}
		}
		for _, warn := range c.Warnings {
			fmt.Fprintf(&b, "  warning: %s\n", warn)
		}
		fmt.Fprintf(&b, "  %s\n", summary(c.Changed, c.Failed, c.Msg))
		if p.Request.Diff && c.Diff != nil && c.Diff.Before != c.Diff.After {
			fmt.Fprintf(&b, "  --- %s\n  +++ %s\n", c.Diff.BeforeHeader, c.Diff.AfterHeader)
			b.WriteString(indent(lineDiff(c.Diff.Before, c.Diff.After), "  "))
		}
	}
	fmt.Fprintf(&b, "%s\n", summary(res.Changed, res.Failed, res.Msg))
	fmt.Fprint(w, scrubText(b.String(), out.secrets))
}

func summary(changed, failed bool, msg string) string {
	s := "ok"
	switch {
	case failed:
		s = "FAILED"
	case changed:
		s = "changed"
	}
	if msg != "" {
		s += ": " + msg
	}
	return s
}

func scrubText(s string, secrets []string) string {
	return scrub(s, secrets).(string)
}
