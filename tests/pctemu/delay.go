package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// delays is PCTEMU_DELAY_MS, a latency model of a real node (every pct is
// a Perl process that loads the PVE stack, then does its work):
// "default=20,create=400,clone=300" makes each invocation sleep that many
// milliseconds by subcommand, default for the others. Nothing else changes.
type delays map[string]time.Duration

func parseDelays(spec string) (delays, error) {
	d := delays{}
	if strings.TrimSpace(spec) == "" {
		return d, nil
	}
	for _, part := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		ms, err := strconv.Atoi(v)
		if !ok || err != nil || ms < 0 {
			return nil, fmt.Errorf("pctemu: PCTEMU_DELAY_MS: %q is not name=milliseconds", part)
		}
		if _, known := commands[k]; !known && k != "default" {
			return nil, fmt.Errorf("pctemu: PCTEMU_DELAY_MS: %q is not a pct subcommand (or default)", k)
		}
		d[k] = time.Duration(ms) * time.Millisecond
	}
	return d, nil
}

// of is the delay of one subcommand.
func (d delays) of(name string) time.Duration {
	if v, ok := d[name]; ok {
		return v
	}
	return d["default"]
}

func loadDelays() (delays, error) { return parseDelays(os.Getenv("PCTEMU_DELAY_MS")) }
