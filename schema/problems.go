package schema

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Problem is one thing wrong with an input: where (the file, if any, and the
// JSON path of the field, e.g. lxc_configs.950.network_config.ip) and which
// rule it breaks.
type Problem struct {
	File string
	Path string
	Rule string
}

// String renders "file: path: rule".
func (p Problem) String() string {
	s := p.Path + ": " + p.Rule
	if p.Path == "" {
		s = p.Rule
	}
	if p.File != "" {
		s = p.File + ": " + s
	}
	return s
}

// Problems is every problem found in an input. It is an error, so a caller
// gets all of them at once, not just the first.
type Problems []Problem

// Count is n with noun, plural unless n is 1: "1 problem", "2 problems".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Error lists every problem, one per line after a count.
func (ps Problems) Error() string {
	if len(ps) == 1 {
		return "invalid input: " + ps[0].String()
	}
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = "  " + p.String()
	}
	return fmt.Sprintf("invalid input, %s:\n%s", Count(len(ps), "problem"), strings.Join(lines, "\n"))
}

// add appends a problem at path.
func (ps *Problems) add(path, format string, a ...any) {
	*ps = append(*ps, Problem{Path: path, Rule: fmt.Sprintf(format, a...)})
}

// inFile sets the file of every problem, and sorts them by path so the
// report reads in document order for a person.
func (ps Problems) inFile(file string) Problems {
	for i := range ps {
		ps[i].File = file
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Path < ps[j].Path })
	return ps
}

// notAt returns the problems of ps at a path that has none in other, at
// it or inside it: one broken rule per field is enough to report.
func (ps Problems) notAt(other Problems) Problems {
	var out Problems
	for _, p := range ps {
		if !slices.ContainsFunc(other, func(o Problem) bool { return o.Path == p.Path || strings.HasPrefix(o.Path, p.Path+".") }) {
			out = append(out, p)
		}
	}
	return out
}

// join builds a JSON path: join("lxc_configs", "950") is "lxc_configs.950".
func join(prefix string, segs ...any) string {
	for _, s := range segs {
		seg := fmt.Sprint(s)
		if prefix == "" {
			prefix = seg
		} else {
			prefix += "." + seg
		}
	}
	return prefix
}
