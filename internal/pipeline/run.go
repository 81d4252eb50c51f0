package pipeline

import (
	"context"
	"fmt"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
	"sort"
	"strconv"
	"strings"
)

// Run converges req.Targets in dependency order and reports every container.
// On the first failure it stops: the result says which containers were done,
// which one failed (step, command, exit code, stderr) and which were not
// reached.
func Run(ctx context.Context, req Request) Result {
	req.Fleet = inheritIdmaps(req.Fleet)
	order, err := Order(req.Fleet, req.Targets)
	if err != nil {
		return Result{Failed: true, Msg: err.Error()}
	}
	if req.State == "absent" {
		// Clones and dependants go first: a linked clone blocks its source's destroy.
		for i, j := 0, len(order)-1; i < j; i, j = i+1, j-1 {
			order[i], order[j] = order[j], order[i]
		}
	}
	states, err := req.Backend.Observe(ctx, observeSet(req, order))
	if err != nil {
		return Result{Failed: true, Msg: fmt.Sprintf("observe: %v", err)}
	}
	var res Result
	var done []string
	for i, ctid := range order {
		cr := convergeOne(ctx, &req, ctid, states)
		res.Containers = append(res.Containers, cr)
		res.Changed = res.Changed || cr.Changed
		res.Warnings = append(res.Warnings, cr.Warnings...)
		if cr.Failed {
			res.Failed = true
			var rest []string
			for _, id := range order[i+1:] {
				rest = append(rest, strconv.Itoa(id))
				res.Containers = append(res.Containers, ContainerResult{CTID: id, Name: req.Fleet[id].Name, Msg: "not reached", Actions: []ActionResult{}})
			}
			res.Msg = fmt.Sprintf("%s. Done: %s. Not reached: %s.", cr.Msg, list(done), list(rest))
			return res
		}
		done = append(done, strconv.Itoa(ctid))
	}
	res.Msg = summary(res, req.CheckMode)
	return res
}

// convergeOne takes the container's run lock (never in check mode, which
// writes nothing), observes again if another run held it, and runs the steps
// of the requested state.
func convergeOne(ctx context.Context, req *Request, ctid int, states map[int]*backend.State) ContainerResult {
	spec := req.Fleet[ctid]
	cr := ContainerResult{CTID: ctid, Name: spec.Name, Actions: []ActionResult{}}
	if spec.Node != "" && req.Node != "" && spec.Node != req.Node {
		cr.Skipped = true
		cr.Msg = fmt.Sprintf("skipped: pinned to node %q, this is %q", spec.Node, req.Node)
		return cr
	}
	x := &converger{req: req, ctid: ctid, spec: spec, st: states[ctid], fleet: states, res: &cr}
	if !req.CheckMode {
		unlock, _, err := lockContainer(ctx, req.LockDir, ctid, req.LockTimeout)
		if err != nil {
			x.step = "lock"
			x.fail(err)
			return cr
		}
		defer unlock()
		// Lock, then observe: what was seen before the lock may be stale,
		// another run may have changed the container in between.
		x.dirty = true
		if err := x.refresh(ctx); err != nil {
			x.fail(err)
			return cr
		}
	}
	if x.st == nil {
		x.st = &backend.State{CTID: ctid}
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
	x.logf("CT %d (%s): %s", ctid, spec.Name, stateOf(req))
	x.run(ctx, stepsFor(req.State))
	states[ctid] = x.st
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

// observeSet is the targets plus their clone sources.
func observeSet(req Request, order []int) []int {
	seen := map[int]bool{}
	for _, id := range order {
		seen[id] = true
		if c := req.Fleet[id].CloneFromCTID; c != nil {
			seen[int(*c)] = true
		}
	}
	ids := make([]int, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	return ids
}

func containerSummary(cr ContainerResult, check bool) string {
	switch {
	case cr.Skipped:
		return cr.Msg
	case !cr.Changed:
		return fmt.Sprintf("CT %d is converged", cr.CTID)
	case check:
		return fmt.Sprintf("CT %d would change: %d actions planned", cr.CTID, len(cr.Actions))
	}
	return fmt.Sprintf("CT %d converged: %d actions", cr.CTID, len(cr.Actions))
}

func summary(res Result, check bool) string {
	if len(res.Containers) == 1 {
		return res.Containers[0].Msg
	}
	changed := 0
	for _, c := range res.Containers {
		if c.Changed {
			changed++
		}
	}
	verb := "changed"
	if check {
		verb = "would change"
	}
	return fmt.Sprintf("%d containers: %d %s, %d converged", len(res.Containers), changed, verb, len(res.Containers)-changed)
}

func list(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}
