package module

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pipeline"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// Deps are the module's links to the outside world, replaced in tests.
type Deps struct {
	Converge    func(context.Context, pipeline.Request) pipeline.Result
	OpenBackend func(name string, r runner.Runner, h Host, node Node) (backend.Backend, error)
	Hostname    func(Host) (string, error)
	// Host is what the environment says about this host (ReadHost).
	Host Host
	// Euid is the effective user id the run has; it must be root's.
	Euid func() int
	// Stdin is where the args come from when the args file is "-".
	Stdin io.Reader
}

// Real returns the production dependencies.
func Real() Deps {
	return Deps{Converge: pipeline.Run, OpenBackend: OpenBackend, Hostname: osHostname, Euid: os.Geteuid, Host: ReadHost(), Stdin: os.Stdin}
}

// logs are where a run writes for a person: progress lines, and (run -v)
// every command with its output. Either may be nil.
type logs struct {
	progress, commands io.Writer
}

// Open adds the runner and the backend to the plan's request. It is the
// first thing that may touch the host, so it runs only after validation.
func (p *Job) Open(d Deps, l logs) error {
	var r runner.Runner = runner.Exec{Timeout: p.CommandTimeout}
	if l.commands != nil {
		r = runner.Echo{R: r, W: l.commands}
	}
	b, err := d.OpenBackend(p.BackendName, r, p.Host, p.Node)
	if err != nil {
		return fmt.Errorf("backend %s: %w", p.BackendName, err)
	}
	p.Request.Backend, p.Request.Runner, p.Request.Log = b, r, l.progress
	return nil
}

// Module runs the Ansible contract: read the args file (or stdin for "-"),
// validate, converge, print exactly one JSON object on stdout. It returns
// the exit code.
func Module(ctx context.Context, argsPath string, stdout, stderr io.Writer, d Deps) (code int) {
	step := "reading the args file"
	out := &output{}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprint(stderr, scrubText(fmt.Sprintf("phoenix_lxc: panic while %s: %v\n%s", step, r, debug.Stack()), out.secrets))
			code = out.fail(stdout, fmt.Sprintf("internal error while %s: %v (this is a bug in phoenix_lxc; the run stopped there)", step, r))
		}
	}()
	opts, ans, err := ReadArgs(argsPath, d.Stdin)
	if err != nil {
		return out.fail(stdout, err.Error())
	}
	var l logs
	if ans.Verbosity >= 1 && !ans.NoLog {
		l.progress = stderr
	}
	plan, res, err := execute(ctx, opts, ans, d, l, out, &step)
	if err != nil {
		return out.fail(stdout, err.Error())
	}
	step = "writing the result"
	return out.result(stdout, plan, res)
}

// execute validates options, loads the fleet, opens the backend and
// converges. out learns the invocation, secrets and warnings as they are
// known; *step names what is under way, for a panic report.
func execute(ctx context.Context, opts map[string]any, ans Ansible, d Deps, l logs, out *output, step *string) (*Job, pipeline.Result, error) {
	*step = "validating the options"
	out.invocation, out.secrets = maskArgs(opts, ans.NoLog)
	if uid := d.Euid(); uid != 0 {
		// Every step needs root: pct, the node's files, the run locks,
		// handing folders to the container's ids. Check mode too, or a
		// dry run would promise what the real one cannot do.
		return nil, pipeline.Result{}, notRoot{uid}
	}
	o, ps := schema.ParseArgs(opts)
	if len(ps) > 0 {
		return nil, pipeline.Result{}, ps
	}
	*step = "loading the containers"
	plan, err := Prepare(o, d.Host, d.Hostname)
	if err != nil {
		return nil, pipeline.Result{}, err
	}
	out.secrets = append(out.secrets, plan.Secrets...)
	out.warnings = plan.Warnings
	if err := checkDefaultGrants(plan.Request); err != nil {
		return nil, pipeline.Result{}, err
	}
	plan.Request.CheckMode, plan.Request.Diff = ans.CheckMode, ans.Diff
	plan.ShowConfig = ans.Diff || ans.Verbosity >= 2
	if ctx.Err() != nil {
		return nil, pipeline.Result{}, fmt.Errorf("%v before anything was done", context.Cause(ctx))
	}
	*step = "opening the backend"
	if err := plan.Open(d, l); err != nil {
		return nil, pipeline.Result{}, err
	}
	*step = "converging"
	res := d.Converge(ctx, plan.Request)
	if ctx.Err() != nil {
		res.Failed = true
		res.Msg = fmt.Sprintf("%v: the commands under way were killed and the containers not started were skipped; run again to finish. %s", context.Cause(ctx), res.Msg)
	}
	return plan, res, nil
}

// output collects what every printed object carries.
type output struct {
	invocation any
	secrets    []string
	warnings   []string
	printed    bool
}

// fail prints a failure and returns exit code 1.
func (o *output) fail(w io.Writer, msg string) int {
	o.print(w, map[string]any{"changed": false, "failed": true, "msg": msg})
	return 1
}

// result prints the pipeline's result in the single or fleet shape.
func (o *output) result(w io.Writer, p *Job, res pipeline.Result) int {
	obj := Shape(p, res)
	o.print(w, obj)
	if obj["failed"] == true {
		return 1
	}
	return 0
}

// Shape builds the module's result object: for the ctid option, one
// container's fields at the top level; otherwise a containers list. The
// full configs come only with diff or verbosity 2 (-vv): in one line of
// Ansible's output they would bury msg.
func Shape(p *Job, res pipeline.Result) map[string]any {
	warnings := append(append([]string{}, p.Warnings...), res.Warnings...)
	obj := map[string]any{"changed": res.Changed, "failed": res.Failed, "msg": res.Msg}
	if !p.ShowConfig {
		res.Containers = append([]pipeline.ContainerResult(nil), res.Containers...)
		for i := range res.Containers {
			res.Containers[i].Config = ""
		}
	}
	if p.Single && len(res.Containers) <= 1 {
		c := pipeline.ContainerResult{CTID: p.Request.Targets[0], Actions: []pipeline.ActionResult{}}
		if len(res.Containers) == 1 {
			c = res.Containers[0]
		}
		obj["changed"] = res.Changed || c.Changed
		obj["failed"] = res.Failed || c.Failed
		if res.Msg == "" {
			obj["msg"] = c.Msg
		}
		obj["ctid"], obj["actions"], obj["idmap"] = c.CTID, nonNil(c.Actions), c.Idmap
		if c.Config != "" {
			obj["config"] = c.Config
		}
		if c.Skipped {
			obj["skipped"] = true
		}
		if c.Step != "" {
			obj["step"] = c.Step
		}
		if p.Request.Diff && c.Diff != nil {
			obj["diff"] = c.Diff
		}
		warnings = append(warnings, c.Warnings...)
	} else {
		containers := nonNil(res.Containers)
		obj["containers"] = containers
		if p.Request.Diff {
			diffs := []*pipeline.Diff{}
			for _, c := range containers {
				if c.Diff != nil {
					diffs = append(diffs, c.Diff)
				}
			}
			obj["diff"] = diffs
		}
	}
	obj["warnings"] = nonNil(warnings)
	return obj
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// print writes obj once, with the invocation added and every secret
// scrubbed from every string in it.
func (o *output) print(w io.Writer, obj map[string]any) {
	if o.printed {
		return
	}
	o.printed = true
	if o.invocation != nil {
		obj["invocation"] = map[string]any{"module_args": o.invocation}
	}
	if _, ok := obj["warnings"]; !ok && len(o.warnings) > 0 {
		obj["warnings"] = o.warnings
	}
	data, err := json.Marshal(obj)
	var tree any
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber() // any number of the input echoes back, 1e400 too
		err = dec.Decode(&tree)
	}
	if err != nil {
		tree = map[string]any{"failed": true, "changed": false, "msg": "cannot encode the result: " + err.Error()}
	}
	_, _ = w.Write(msgFirst(scrub(tree, o.secrets).(map[string]any)))
}

// msgFirst encodes obj as one line of JSON with msg, failed and changed
// first, then the other keys in order, so whoever reads the raw answer
// sees what happened before the details.
func msgFirst(obj map[string]any) []byte {
	keys := []string{"msg", "failed", "changed"}
	var rest []string
	for k := range obj {
		if k != "msg" && k != "failed" && k != "changed" {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	var b bytes.Buffer
	enc := json.NewEncoder(&b) // each Encode ends with a newline, cut below
	enc.SetEscapeHTML(false)
	sep := byte('{')
	for _, k := range append(keys, rest...) {
		if v, ok := obj[k]; ok {
			b.WriteByte(sep)
			_ = enc.Encode(k)
			b.Truncate(b.Len() - 1)
			b.WriteByte(':')
			_ = enc.Encode(v)
			b.Truncate(b.Len() - 1)
			sep = ','
		}
	}
	if sep == '{' {
		b.WriteByte(sep)
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// notRoot refuses a run without root, before anything is read.
type notRoot struct{ uid int }

func (e notRoot) Error() string {
	return fmt.Sprintf("phoenix_lxc must run as root (become: true); it runs as uid %d", e.uid)
}
