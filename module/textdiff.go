package module

import "strings"

// lineDiff is a minimal line diff for the report: lines only in before get
// "-", lines only in after get "+", common lines are left out. Order is
// kept; it is meant for short config files.
func lineDiff(before, after string) string {
	a, b := strings.Split(before, "\n"), strings.Split(after, "\n")
	inA, inB := count(a), count(b)
	var out strings.Builder
	for _, l := range a {
		if inB[l] == 0 && l != "" {
			out.WriteString("-" + l + "\n")
		}
	}
	for _, l := range b {
		if inA[l] == 0 && l != "" {
			out.WriteString("+" + l + "\n")
		}
	}
	return out.String()
}

func count(lines []string) map[string]int {
	m := map[string]int{}
	for _, l := range lines {
		m[l]++
	}
	return m
}

func indent(s, prefix string) string {
	if s == "" {
		return s
	}
	return prefix + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+prefix) + "\n"
}
