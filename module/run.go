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

// Run is phoenix_lxc run: the module's options as flags, validated the same
// way, with a readable report (or the module's JSON with --json).
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, d Deps) int {
	fs := flag.NewFlagSet("phoenix_lxc run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var ctids ctidList
	fs.Var(&ctids, "ctid", "container to converge (repeatable, or a comma list)")
	var (
		config    = fs.String("config", "", "config file (phoenix_lxc_configs.json)")
		hv        = fs.String("hypervisor-config", "", "hypervisor config; only its shared_volumes are read")
		all       = fs.Bool("all", false, "converge every container of --config")
		state     = fs.String("state", DefaultState, "present, stopped or absent")
		backend   = fs.String("backend", DefaultBackend, "auto, pct or lxc")
		check     = fs.Bool("check", false, "change nothing, report what would be done")
		diff      = fs.Bool("diff", false, "show the container config before and after")
		restart   = fs.Bool("allow-restart", false, "may restart a running container to apply a change")
		node      = fs.String("node", "", "this host's node name (default: the host name)")
		featDir   = fs.String("feature-script-dir", "", "folder of feature scripts (default "+DefaultScriptDir+")")
		appDir    = fs.String("application-script-dir", "", "folder of application scripts (default "+DefaultScriptDir+")")
		cmdTO     = fs.Int("command-timeout", DefaultCommandTimeout, "seconds before an external command is killed")
		lockTO    = fs.Int("lock-timeout", DefaultLockTimeout, "seconds to wait for another run on the same container")
		parallel  = fs.Int("parallel", DefaultParallel, "containers converged at once (1: one at a time, in dependency order)")
		failFast  = fs.Bool("fail-fast", false, "start no further container after the first failure")
		asJSON    = fs.Bool("json", false, "print the module's JSON result instead of the report")
		verbosity = fs.Bool("v", false, "print progress while running")
	)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "phoenix_lxc run: unexpected argument %q (flags only)\n", fs.Arg(0))
		return 2
	}
	opts := map[string]any{
		"config_file": *config, "hypervisor_config_file": *hv, "state": *state, "backend": *backend,
		"allow_restart": *restart, "node": *node, "feature_script_dir": *featDir,
		"application_script_dir": *appDir, "command_timeout": *cmdTO, "lock_timeout": *lockTO,
		"parallel": *parallel, "fail_fast": *failFast,
	}
	for k, v := range opts {
		if v == "" || v == false {
			delete(opts, k)
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
	ans := Ansible{CheckMode: *check, Diff: *diff}
	var log io.Writer
	if *verbosity || !*asJSON {
		log = stderr
	}
	out := &output{}
	step := ""
	plan, res, err := execute(ctx, opts, ans, d, log, out, &step)
	if *asJSON {
		if err != nil {
			return out.fail(stdout, err.Error())
		}
		return out.result(stdout, plan, res)
	}
	if err != nil {
		fmt.Fprintln(stdout, scrubText(err.Error(), out.secrets))
		return 1
	}
	report(stdout, plan, res, out)
	if res.Failed {
		return 1
	}
	return 0
}

// report prints the result for a person: per container, each action with
// its command, done or planned, and duration; then a summary.
func report(w io.Writer, p *Plan, res pipeline.Result, out *output) {
	var b strings.Builder
	for _, warn := range append(append([]string{}, p.Warnings...), res.Warnings...) {
		fmt.Fprintf(&b, "warning: %s\n", warn)
	}
	for _, c := range res.Containers {
		fmt.Fprintf(&b, "== %d %s\n", c.CTID, c.Name)
		for _, a := range c.Actions {
			status := "planned"
			if a.Done {
				status = "done"
			}
			if a.Error != "" {
				status = "FAILED"
			}
			fmt.Fprintf(&b, "  %-8s %-14s %s (%.0f ms)\n", status, a.Step, a.Action, a.DurationMS)
			if a.Command != "" {
				fmt.Fprintf(&b, "           $ %s\n", a.Command)
			}
			if a.Error != "" {
				fmt.Fprintf(&b, "           error: %s\n", a.Error)
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
