package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// Run converges req.Targets: each container as soon as everything it needs
// (clone source, dependencies) is done, at most req.Parallel at a time. A
// failed container's dependants are skipped, naming it; the others go on.
// The result lists the containers in dependency order and says which were
// done, failed and skipped.
func Run(ctx context.Context, req Request) Result {
	req.Fleet = inheritIdmaps(req.Fleet)
	order, err := runOrder(&req)
	if err != nil {
		return Result{Failed: true, Msg: err.Error()}
	}
	absent := req.State == "absent"
	parallel := max(req.Parallel, 1)
	if req.NoSpec {
		parallel = 1
	}
	if req.Log != nil {
		req.Log = &syncWriter{w: req.Log}
	}
	known := &states{m: map[int]*backend.State{}}
	needs := needsOf(&req, order, absent)
	rank := ranks(order, needs)
	sources := newSourceLocks(rank)
	w := walk{order: byRank(order, rank), needs: needs, parallel: parallel, failFast: req.FailFast,
		started: func(ctid int) {
			if src := req.Fleet[ctid].CloneFromCTID; src != nil && !req.CheckMode && !absent {
				sources.expect(int(*src), ctid)
			}
		},
		converge: func(ctx context.Context, ctid int) ContainerResult {
			if src := req.Fleet[ctid].CloneFromCTID; src != nil {
				defer sources.forget(int(*src), ctid)
			}
			return convergeOne(ctx, &req, ctid, known, sources)
		}}
	var res Result
	res.Containers = inOrder(w.run(ctx), order)
	for i := range res.Containers {
		c := &res.Containers[i]
		c.Name = req.Fleet[c.CTID].Name
		res.Changed = res.Changed || c.Changed
		res.Failed = res.Failed || c.Failed
		res.Warnings = append(res.Warnings, c.Warnings...)
	}
	res.Msg = summary(res, req.CheckMode)
	return res
}

// runOrder is the order the targets go in: dependency order, reversed for
// state absent, as clones and dependants go first (a linked clone blocks
// its source's destroy). Without specs there is no dependency to go by:
// the order given.
func runOrder(req *Request) ([]int, error) {
	if req.NoSpec {
		return append([]int(nil), req.Targets...), nil
	}
	order, err := Order(req.Fleet, req.Targets)
	if err == nil && req.State == "absent" {
		for i, j := 0, len(order)-1; i < j; i, j = i+1, j-1 {
			order[i], order[j] = order[j], order[i]
		}
	}
	return order, err
}

// convergeOne takes the container's run lock (never in check mode, which
// writes nothing), then observes it from scratch, and runs the steps of the
// requested state.
func convergeOne(ctx context.Context, req *Request, ctid int, known *states, sources *sourceLocks) (cr ContainerResult) {
	spec := req.Fleet[ctid]
	cr = ContainerResult{CTID: ctid, Name: spec.Name, Actions: []ActionResult{}}
	defer func() { cr.Status = statusOf(cr) }()
	if spec.Node != "" && req.Node != "" && spec.Node != req.Node {
		cr.Skipped = true
		cr.Msg = fmt.Sprintf("skipped: pinned to node %q, this is %q", spec.Node, req.Node)
		return cr
	}
	x := &converger{req: req, ctid: ctid, spec: spec, known: known, sources: sources, res: &cr}
	if !req.CheckMode {
		unlock, _, err := lockContainer(ctx, req.LockDir, ctid, req.LockTimeout)
		if err != nil {
			x.step = "lock"
			x.fail(err)
			return cr
		}
		defer unlock()
	}
	// Lock, then observe: whatever was seen before the lock may be stale,
	// another run may have changed the container in between.
	x.dirty = true
	if err := x.refresh(ctx); err != nil {
		if inner := errors.Unwrap(err); inner != nil {
			err = inner // the step says it; refresh's "observe CT <id>" would repeat it
		}
		x.step = "observe"
		x.fail(err)
		return cr
	}
	if node := x.st.Elsewhere; node != "" {
		// Never re-created or cloned into a conflict, never destroyed from
		// here: pct works on the node that holds the container.
		cr.Skipped = true
		cr.Msg = fmt.Sprintf("skipped: CT %d lives on node %q, not on this one; converge it there", ctid, node)
		known.put(ctid, x.st)
		return cr
	}
	want, err := schema.ExpectedIdmap(spec)
	if err != nil {
		x.step = "idmap"
		x.fail(err)
		return cr
	}
	x.want = want
	for _, w := range backendWarnings(req.Backend, x.st, spec) {
		x.warn("%s", w)
	}
	before := x.st.ConfText
	x.logf("%s", stateOf(req))
	x.run(ctx, stepsFor(req.State))
	known.put(ctid, x.st)
	cr.Config = x.st.ConfText
	if req.Diff && before != x.st.ConfText {
		cr.Diff = &Diff{Before: before, After: x.st.ConfText,
			BeforeHeader: fmt.Sprintf("CT %d (before)", ctid), AfterHeader: fmt.Sprintf("CT %d (after)", ctid)}
	}
	if !cr.Failed {
		cr.Msg = containerSummary(cr, req.CheckMode)
	}
	return cr
}

func statusOf(cr ContainerResult) string {
	switch {
	case cr.Failed:
		return StatusFailed
	case cr.Skipped:
		return StatusSkipped
	case cr.Changed:
		return StatusChanged
	}
	return StatusOK
}

func stepsFor(state string) []step {
	switch state {
	case "stopped":
		return stoppedSteps
	case "absent":
		return absentSteps
	}
	return presentSteps
}

func stateOf(req *Request) string {
	s := req.State
	if s == "" {
		s = "present"
	}
	if req.CheckMode {
		s += " (check mode)"
	}
	return s
}

func containerSummary(cr ContainerResult, check bool) string {
	switch {
	case cr.Skipped:
		return cr.Msg
	case !cr.Changed:
		return fmt.Sprintf("CT %d is converged", cr.CTID)
	case check:
		return fmt.Sprintf("CT %d would change: %s planned", cr.CTID, schema.Count(len(cr.Actions), "action"))
	}
	return fmt.Sprintf("CT %d converged: %s", cr.CTID, schema.Count(len(cr.Actions), "action"))
}

func summary(res Result, check bool) string {
	if len(res.Containers) == 1 {
		return res.Containers[0].Msg
	}
	if res.Failed {
		var first string
		for _, c := range res.Containers {
			if c.Failed && first == "" {
				first = c.Msg
			}
		}
		return fmt.Sprintf("%s. %s", first, outcome(res.Containers))
	}
	changed, converged := 0, 0
	for _, c := range res.Containers {
		switch c.Status {
		case StatusChanged:
			changed++
		case StatusOK:
			converged++
		}
	}
	verb := "changed"
	if check {
		verb = "would change"
	}
	msg := fmt.Sprintf("%s: %d %s, %d converged", schema.Count(len(res.Containers), "container"), changed, verb, converged)
	if n := len(res.Containers) - changed - converged; n > 0 {
		msg += fmt.Sprintf(", %d skipped", n)
	}
	return msg
}

func list(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}
