package main

import (
	"fmt"
	"io"
	"strings"
)

// row is one line of the table: what is measured, phoenix_lxc's figure,
// the figure it is compared with, their ratio, and the goal it is held to.
type row struct {
	what, ours, theirs, ratio, goal, met string
}

// table collects the rows in the order they are measured.
type table struct {
	rows []row
}

// add appends a row.
func (t *table) add(r row) { t.rows = append(t.rows, r) }

// skip appends a row saying why a measurement could not be made.
func (t *table) skip(what, why string) {
	t.add(row{what: what, ours: "skipped: " + why, theirs: "", ratio: "", goal: "", met: "-"})
}

// print writes the table as Markdown.
func (t *table) print(w io.Writer) {
	fmt.Fprintln(w, "| measure (ratio = the first named / the second) | phoenix_lxc | compared with | ratio | goal | met |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, r := range t.rows {
		cells := []string{r.what, r.ours, r.theirs, r.ratio, r.goal, r.met}
		for i, c := range cells {
			cells[i] = strings.ReplaceAll(c, "|", "\\|")
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
}

// yes is the "met" cell for a goal check.
func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// ms formats seconds as milliseconds.
func ms(sec float64) string {
	if sec < 0.01 {
		return fmt.Sprintf("%.2f ms", sec*1000)
	}
	return fmt.Sprintf("%.1f ms", sec*1000)
}

// ratio formats a/b as "N.NNx".
func ratio(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2fx", a/b)
}
