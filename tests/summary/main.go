// Command summary reads `go test -json` on stdin and prints what a person
// needs: a line per package as it finishes, the output of every failed
// test, and one summary line (passed, failed, skipped, duration). It exits
// 1 when anything failed, so `go test -json ./... | go run ./tests/summary`
// can stand in for `go test ./...`.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

func main() {
	start := time.Now()
	out := map[string][]string{} // package/test -> its output lines
	var passed, failed, skipped int
	var failures []string
	broken := false
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Println(sc.Text()) // a build error, printed as go prints it
			broken = true
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "output":
			out[key] = append(out[key], e.Output)
		case "pass", "fail", "skip":
			if e.Test == "" {
				fmt.Printf("%-4s %s (%.1fs)\n", map[string]string{"pass": "ok", "fail": "FAIL", "skip": "--"}[e.Action], e.Package, e.Elapsed)
				if e.Action == "fail" && len(out[key]) > 0 {
					fmt.Print(strings.Join(out[key], ""))
				}
				if e.Action == "fail" {
					broken = true
				}
				continue
			}
			switch e.Action {
			case "pass":
				passed++
			case "skip":
				skipped++
			case "fail":
				failed++
				failures = append(failures, key)
				fmt.Print(strings.Join(out[key], ""))
			}
			delete(out, key)
		}
	}
	verdict := "PASS"
	if failed > 0 || broken {
		verdict = "FAIL"
	}
	fmt.Printf("tests: %s: %d passed, %d failed, %d skipped in %s\n", verdict, passed, failed, skipped, time.Since(start).Round(time.Second))
	for _, f := range failures {
		fmt.Printf("  failed: %s\n", f)
	}
	if verdict == "FAIL" {
		os.Exit(1)
	}
}
