package main

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// group is the exit-code class of a subcommand (pct-spec §1.3).
type group int

const (
	direct group = iota // die -> stderr, non-zero exit
	task                // worker output on stdout, error on stderr, exit 255
	nomap               // worker error on stderr, exit 0
)

// command describes one pct subcommand: its positional arguments, its
// options and how it runs.
type command struct {
	name     string
	args     []string // positional parameter names, in order
	rest     string   // name of a trailing list parameter (exec's extra-args)
	opts     func(name string) (optKind, bool)
	group    group
	changes  bool // counts towards PCTEMU_FAIL_AT
	run      func(e *env, p *params) error
	synopsis string
}

// optKind is how an option takes its value.
type optKind int

const (
	optString optKind = iota
	optBool           // optional value, parsed as a boolean
	optList           // may repeat; values joined with ","
)

// params holds the parsed command line.
type params struct {
	pos  map[string]string
	rest []string
	opt  map[string]string
	set  []string // option names in the order given
}

func (p *params) has(k string) bool { _, ok := p.opt[k]; return ok }

func (p *params) get(k string) string { return p.opt[k] }

// flag reads a boolean option that was already normalised to 0/1.
func (p *params) flag(k string) bool { return p.opt[k] == "1" }

// paramError is PVE's 400 exception: a message or per-parameter errors,
// printed with the command's usage line.
type paramError struct {
	msg    string
	errors map[string]string
}

func (e *paramError) Error() string {
	var b strings.Builder
	if e.msg != "" {
		b.WriteString("400 " + e.msg + "\n")
	} else {
		b.WriteString("400 Parameter verification failed.\n")
	}
	keys := make([]string, 0, len(e.errors))
	for k := range e.errors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, e.errors[k])
	}
	return b.String()
}

// paramErr builds a one-parameter verification error.
func paramErr(key, format string, a ...any) error {
	return &paramError{errors: map[string]string{key: fmt.Sprintf(format, a...)}}
}

// resolve finds a subcommand by exact name or unique prefix.
func resolve(name string) (*command, bool) {
	if c, ok := commands[name]; ok {
		return c, true
	}
	var found *command
	for k, c := range commands {
		if strings.HasPrefix(k, name) {
			if found != nil {
				return nil, false
			}
			found = c
		}
	}
	return found, found != nil
}

// usageAll is printed after an unknown command.
func usageAll() string {
	names := make([]string, 0, len(commands))
	for k := range commands {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("USAGE: pct <COMMAND> [ARGS] [OPTIONS]\n")
	for _, n := range names {
		fmt.Fprintf(&b, "       %s\n", commands[n].usage())
	}
	return b.String()
}

// usage is the short synopsis PVE appends to parameter errors.
func (c *command) usage() string {
	if c.synopsis != "" {
		return "pct " + c.name + " " + c.synopsis
	}
	s := "pct " + c.name
	for _, a := range c.args {
		s += " <" + a + ">"
	}
	if c.rest != "" {
		s += " [<" + c.rest + ">]"
	}
	return s + " [OPTIONS]"
}

// parse reads argv like pve-common get_options: options start with - or
// --, may be abbreviated, may follow positionals; booleans take an optional
// value (and so may swallow the next word); "--" ends option parsing.
func (c *command) parse(argv []string) (*params, []string, error) {
	p := &params{pos: map[string]string{}, opt: map[string]string{}}
	var posv, warns []string
	badOpt := false
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		if a == "--" {
			posv = append(posv, argv[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' || isNumber(a) {
			posv = append(posv, a)
			continue
		}
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		val, hasVal := "", false
		if k, v, ok := strings.Cut(name, "="); ok {
			name, val, hasVal = k, v, true
		}
		full, kind, ok := c.option(name)
		if !ok {
			warns = append(warns, "Unknown option: "+name)
			badOpt = true
			continue
		}
		if !hasVal {
			next := i+1 < len(argv) && (!strings.HasPrefix(argv[i+1], "-") || isNumber(argv[i+1]))
			switch {
			case next:
				val, hasVal = argv[i+1], true
				i++
			case kind == optBool:
				hasVal = true
			default:
				warns = append(warns, "Option "+name+" requires an argument")
				badOpt = true
				continue
			}
		}
		if kind == optList && p.has(full) {
			val = p.opt[full] + "," + val
		}
		if !p.has(full) {
			p.set = append(p.set, full)
		}
		p.opt[full] = val
	}
	if badOpt {
		return nil, warns, &paramError{msg: "unable to parse option"}
	}
	for k, v := range p.opt {
		if kind, _ := c.opts(k); kind == optBool {
			b, ok := parseBool(v)
			if !ok {
				return nil, nil, paramErr(k, "unable to parse boolean option")
			}
			p.opt[k] = b
		}
	}
	if len(posv) < len(c.args) {
		return nil, nil, &paramError{msg: "not enough arguments"}
	}
	for i, a := range c.args {
		p.pos[a] = posv[i]
	}
	p.rest = posv[len(c.args):]
	if c.rest == "" && len(p.rest) > 0 {
		return nil, nil, &paramError{msg: "too many arguments"}
	}
	for _, a := range c.args {
		if a == "vmid" || a == "newid" {
			if !vmidRe.MatchString(p.pos[a]) {
				return nil, nil, paramErr(a, "invalid format - value does not look like a valid VM ID")
			}
		}
	}
	return p, nil, nil
}

// option resolves an option name, allowing a unique prefix like Getopt::Long.
func (c *command) option(name string) (string, optKind, bool) {
	if k, ok := c.opts(name); ok {
		return name, k, true
	}
	var hit string
	for _, cand := range knownOptionNames {
		if strings.HasPrefix(cand, name) {
			if _, ok := c.opts(cand); ok {
				if hit != "" {
					return "", 0, false
				}
				hit = cand
			}
		}
	}
	if hit == "" {
		return "", 0, false
	}
	k, _ := c.opts(hit)
	return hit, k, true
}

var vmidRe = regexp.MustCompile(`^[1-9][0-9]{2,8}$`)

var numberRe = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

func isNumber(s string) bool { return numberRe.MatchString(s) }

// parseBool accepts PVE's boolean spellings; "" (a bare flag) is true.
func parseBool(v string) (string, bool) {
	switch strings.ToLower(v) {
	case "", "1", "on", "yes", "true":
		return "1", true
	case "0", "off", "no", "false":
		return "0", true
	}
	return "", false
}

// optsOf builds an option lookup from a fixed table.
func optsOf(m map[string]optKind) func(string) (optKind, bool) {
	for k := range m {
		addKnown(k)
	}
	return func(n string) (optKind, bool) { k, ok := m[n]; return k, ok }
}

// knownOptionNames lists every fixed option name, for prefix matching.
var knownOptionNames []string

func addKnown(k string) {
	for _, n := range knownOptionNames {
		if n == k {
			return
		}
	}
	knownOptionNames = append(knownOptionNames, k)
}
