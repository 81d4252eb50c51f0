package pipeline

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// Order returns targets in the order they must be converged: a container's
// clone source and dependencies (when they are targets too) come first, ties
// broken by CTID. A cycle is an error that names it.
func Order(fleet map[int]*schema.Spec, targets []int) ([]int, error) {
	want := map[int]bool{}
	for _, t := range targets {
		if fleet[t] == nil {
			return nil, fmt.Errorf("ctid %d: not in the config", t)
		}
		want[t] = true
	}
	ids := make([]int, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	sort.Ints(ids)

	const (
		unseen = iota
		visiting
		done
	)
	mark := map[int]int{}
	var out, path []int
	var visit func(id int) error
	visit = func(id int) error {
		switch mark[id] {
		case done:
			return nil
		case visiting:
			return fmt.Errorf("dependency cycle: %s", cycleText(path, id))
		}
		mark[id] = visiting
		path = append(path, id)
		for _, d := range prerequisites(fleet[id]) {
			if want[d] {
				if err := visit(d); err != nil {
					return err
				}
			}
		}
		path = path[:len(path)-1]
		mark[id] = done
		out = append(out, id)
		return nil
	}
	for _, id := range ids {
		if err := visit(id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// prerequisites are the containers that must be converged before s.
func prerequisites(s *schema.Spec) []int {
	var ds []int
	if s.CloneFromCTID != nil {
		ds = append(ds, int(*s.CloneFromCTID))
	}
	for _, d := range s.Dependencies {
		ds = append(ds, int(d))
	}
	sort.Ints(ds)
	return ds
}

func cycleText(path []int, back int) string {
	start := 0
	for i, id := range path {
		if id == back {
			start = i
		}
	}
	var parts []string
	for _, id := range path[start:] {
		parts = append(parts, strconv.Itoa(id))
	}
	parts = append(parts, strconv.Itoa(back))
	return strings.Join(parts, " -> ")
}
