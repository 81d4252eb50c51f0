package pipeline

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
)

// walk converges the containers of order, each as soon as everything it
// needs is done, at most parallel at a time. A container whose need failed
// or was skipped for it is skipped, naming that need; independent
// containers go on. With failFast no container starts after the first
// failure. Of the containers that are ready, those earlier in order start
// first. Results come back in order, whatever order they finished in.
type walk struct {
	order    []int
	needs    map[int][]int // within order
	parallel int
	failFast bool
	started  func(ctid int) // called as each container is started, in start order
	converge func(ctx context.Context, ctid int) ContainerResult
}

func (w walk) run(ctx context.Context) []ContainerResult {
	res := make(map[int]*ContainerResult, len(w.order))
	started := map[int]bool{}
	finished := make(chan ContainerResult)
	running, firstFailed := 0, 0
	for len(res) < len(w.order) {
		for _, id := range w.order {
			if started[id] || running >= w.parallel {
				continue
			}
			wait, by, why := w.blocked(id, res)
			switch {
			case wait:
				continue
			case by != 0:
				started[id] = true
				res[id] = skipped(id, by, why)
				continue
			case firstFailed != 0 && w.failFast:
				started[id] = true
				res[id] = skipped(id, firstFailed, fmt.Sprintf("not started: CT %d failed and fail_fast is set", firstFailed))
				continue
			case ctx.Err() != nil:
				started[id] = true
				res[id] = skipped(id, 0, fmt.Sprintf("not started: the run was stopped (%v)", context.Cause(ctx)))
				continue
			}
			started[id] = true
			running++
			w.started(id)
			go func(id int) { finished <- w.converge(ctx, id) }(id)
		}
		if running == 0 {
			continue // everything left was decided without running
		}
		cr := <-finished
		running--
		res[cr.CTID] = &cr
		if cr.Failed && firstFailed == 0 {
			firstFailed = cr.CTID
		}
	}
	out := make([]ContainerResult, 0, len(w.order))
	for _, id := range w.order {
		out = append(out, *res[id])
	}
	return out
}

// blocked reports whether id must still wait for a need; when it cannot
// run at all, by is the need that failed or was not run, and why says so.
// A need skipped because it is pinned to another node is not a failure.
func (w walk) blocked(id int, res map[int]*ContainerResult) (wait bool, by int, why string) {
	for _, n := range w.needs[id] {
		r := res[n]
		switch {
		case r == nil:
			return true, 0, ""
		case r.Failed:
			return false, n, fmt.Sprintf("skipped: it needs CT %d, which failed", n)
		case r.Status == StatusSkipped && r.BlockedBy != 0:
			return false, n, fmt.Sprintf("skipped: it needs CT %d, which was not run", n)
		}
	}
	return false, 0, ""
}

func skipped(id, by int, msg string) *ContainerResult {
	return &ContainerResult{CTID: id, Skipped: true, Status: StatusSkipped, BlockedBy: by, Msg: msg, Actions: []ActionResult{}}
}

// needsOf is, for each container of order, the ones that must be done
// before it: its clone source and dependencies, or for state absent the
// reverse (clones and dependants are destroyed before what they need).
func needsOf(req *Request, order []int, absent bool) map[int][]int {
	in := map[int]bool{}
	for _, id := range order {
		in[id] = true
	}
	needs := map[int][]int{}
	for _, id := range order {
		for _, p := range prerequisites(req.Fleet[id]) {
			if !in[p] {
				continue
			}
			if absent {
				needs[p] = append(needs[p], id)
			} else {
				needs[id] = append(needs[id], p)
			}
		}
	}
	return needs
}

// states is what this run knows of each container, shared by the walk's
// workers: observed under the container's lock, or predicted in check mode.
type states struct {
	mu sync.Mutex
	m  map[int]*backend.State
}

func (s *states) get(id int) *backend.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[id]
}

func (s *states) put(id int, st *backend.State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[id] = st
}

// syncWriter lets the workers write whole progress lines to one log.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// outcome says which containers were done, failed and skipped.
func outcome(crs []ContainerResult) string {
	var done, failed, skipped []string
	for _, c := range crs {
		id := strconv.Itoa(c.CTID)
		switch {
		case c.Failed:
			failed = append(failed, id)
		case c.Skipped && c.BlockedBy != 0:
			skipped = append(skipped, id+" ("+strings.TrimPrefix(c.Msg, "skipped: ")+")")
		default:
			done = append(done, id)
		}
	}
	return fmt.Sprintf("Done: %s. Failed: %s. Skipped: %s.", list(done), list(failed), list(skipped))
}

// ranks is, for each container, the longest chain of containers that need
// it, itself included: what the walk should start first, so that the
// longest path through the fleet is never kept waiting.
func ranks(order []int, needs map[int][]int) map[int]int {
	rank := map[int]int{}
	for i := len(order) - 1; i >= 0; i-- { // dependants come later in order
		id := order[i]
		rank[id] = max(rank[id], 1)
		for _, n := range needs[id] {
			rank[n] = max(rank[n], rank[id]+1)
		}
	}
	return rank
}

// byRank is order with the highest rank first; the walk still starts a
// container only once its needs are done. Ties keep order.
func byRank(order []int, rank map[int]int) []int {
	out := append([]int(nil), order...)
	sort.SliceStable(out, func(i, j int) bool { return rank[out[i]] > rank[out[j]] })
	return out
}

// inOrder puts results back into the dependency order.
func inOrder(crs []ContainerResult, order []int) []ContainerResult {
	by := map[int]ContainerResult{}
	for _, c := range crs {
		by[c.CTID] = c
	}
	out := make([]ContainerResult, 0, len(order))
	for _, id := range order {
		out = append(out, by[id])
	}
	return out
}
