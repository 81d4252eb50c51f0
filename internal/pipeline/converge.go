package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// step is one stage of the pipeline: it observes x.st, plans actions and
// hands them to x.apply.
type step struct {
	name string
	run  func(ctx context.Context, x *converger) error
}

// presentSteps is the pipeline for state: present, in the old script's order.
var presentSteps = []step{
	{"preflight", preflightStep},
	{"define", defineStep},
	{"configure", configureStep},
	{"idmap_cycle", idmapCycleStep},
	{"idmap_gate", idmapGateStep},
	{"shared_volumes", sharedVolumesStep},
	{"start", startStep},
	{"idmap_verify", idmapVerifyStep},
	{"secrets", secretsStep},
	{"features", featuresStep},
	{"application", applicationStep},
	{"snapshot", snapshotStep},
}

// stoppedSteps converges everything but leaves the container stopped.
var stoppedSteps = []step{
	{"preflight", preflightStep},
	{"define", defineStep},
	{"configure", configureStep},
	{"idmap_cycle", idmapCycleStep},
	{"idmap_gate", idmapGateStep},
	{"shared_volumes", sharedVolumesStep},
	{"snapshot", snapshotStep},
	{"stop", stopStep},
}

// absentSteps destroys the container.
var absentSteps = []step{{"destroy", destroyStep}}

// converger carries one container through the steps.
type converger struct {
	req   *Request
	ctid  int
	spec  *schema.Spec
	st    *backend.State // the container now (observed, or predicted after a planned change)
	known *states        // what this run knows of the others (clone sources)
	want  idmap.Set      // the expected id map
	// sources serialises clones of one source, in this run and across runs.
	sources *sourceLocks
	res     *ContainerResult
	step    string
	dirty   bool // an action was applied since the last observation
	// predicted: x.st is what planned actions would lead to, not what is
	// (check mode); the gate can then only be planned, not proven.
	predicted bool
	failed    error
}

// apply records actions and, outside check mode, runs them in order. pred is
// the state the actions lead to; after real changes the container is observed
// again instead, from scratch.
func (x *converger) apply(ctx context.Context, acts []backend.Action, pred *backend.State) error {
	for _, a := range acts {
		a.Step = x.step
		ar := ActionResult{Step: a.Step, Action: a.Name.String(), Command: runner.Quote(a.Argv), Pseudo: a.Pseudo, Why: a.Why, Changed: true}
		x.res.Changed = true
		if !x.req.CheckMode {
			x.logf("  %s: %s", a.Step, ar.Command)
			start := time.Now()
			err := a.Do(ctx)
			ar.DurationMS = float64(time.Since(start).Microseconds()) / 1000
			ar.Done = err == nil
			if err != nil {
				ar.Error = err.Error()
				x.res.Actions = append(x.res.Actions, ar)
				return stepError(a, err)
			}
			x.dirty = true
		}
		x.res.Actions = append(x.res.Actions, ar)
	}
	if len(acts) > 0 && pred != nil {
		x.st = pred
		x.predicted = x.predicted || x.req.CheckMode
	}
	return nil
}

// refresh observes the container again after real changes.
func (x *converger) refresh(ctx context.Context) error {
	if !x.dirty {
		return nil
	}
	states, err := x.req.Backend.Observe(ctx, []int{x.ctid})
	if err != nil {
		return fmt.Errorf("observe CT %d: %w", x.ctid, err)
	}
	x.st = states[x.ctid]
	if x.st == nil {
		x.st = &backend.State{CTID: x.ctid}
	}
	x.dirty = false
	return nil
}

func stepError(a backend.Action, err error) error {
	var re *runner.Error
	if errors.As(err, &re) {
		return err
	}
	return fmt.Errorf("%s (%s): %w", a.Name, runner.Quote(a.Argv), err)
}

// logf writes one progress line, naming the container: the walk runs
// several at once.
func (x *converger) logf(format string, args ...any) {
	if x.req.Log == nil {
		return
	}
	who := fmt.Sprintf("CT %d", x.ctid)
	if x.spec.Name != "" { // destroy by CTID alone has no spec
		who += " (" + x.spec.Name + ")"
	}
	fmt.Fprintf(x.req.Log, "%s: "+format+"\n", append([]any{who}, args...)...)
}

func (x *converger) warn(format string, args ...any) {
	x.res.Warnings = append(x.res.Warnings, fmt.Sprintf("CT %d: ", x.ctid)+fmt.Sprintf(format, args...))
}

// run carries the container through steps, stopping at the first failure.
func (x *converger) run(ctx context.Context, steps []step) {
	for _, s := range steps {
		x.step = s.name
		if err := s.run(ctx, x); err != nil {
			x.fail(err)
			return
		}
		if err := x.refresh(ctx); err != nil {
			x.fail(err)
			return
		}
	}
	x.step = ""
}

func (x *converger) fail(err error) {
	x.failed = err
	x.res.Failed = true
	x.res.Step = x.step
	x.res.Msg = fmt.Sprintf("CT %d failed at step %s: %v", x.ctid, x.step, err)
}
