package conf

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// Perl's \s (space, \t, \n, \v, \f, \r); Go's \s lacks \v.
const ws = `[\t\n\v\f\r ]`

var (
	reBlank     = regexp.MustCompile(`^` + ws + `*$`)
	rePending   = regexp.MustCompile(`^(?i)\[pve:pending\]` + ws + `*$`)
	reSnapshot  = regexp.MustCompile(`^\[((?i)[a-z][a-z0-9_\-]+)\]` + ws + `*$`)
	reRaw       = regexp.MustCompile(`^(lxc\.[a-z0-9_\-.]+)(:|` + ws + `*=)` + ws + `*(.*?)` + ws + `*$`)
	reDescr     = regexp.MustCompile(`^description:` + ws + `*(.*[^\t\n\v\f\r ])` + ws + `*$`)
	reSnapstate = regexp.MustCompile(`snapstate:` + ws + `*(prepare|delete)` + ws + `*$`)
	reDelete    = regexp.MustCompile(`^delete:` + ws + `*(.*[^\t\n\v\f\r ])` + ws + `*$`)
	reKey       = regexp.MustCompile(`^([a-z][a-z_]*[0-9]*):` + ws + `*(.+?)` + ws + `*$`)
)

// internalKeys are keys pct uses for itself; a file line with one of them
// is parsed but never written back.
var internalKeys = map[string]bool{"digest": true, "pending": true, "snapshots": true, "snapname": true, "lxc": true}

// lineInfo remembers where things came from, for Check.
type lineInfo struct {
	sec   *Section
	line  int
	key   string // normal or raw key; "" for other lines
	raw   bool
	value string // value as written in the file
}

type parser struct {
	cfg    *Config
	sec    *Section
	descr  string
	warns  []Warning
	lines  []lineInfo
	dupSec []Warning // sections that replaced an earlier one of the same name
}

// Parse reads a conf file as pct's loader does. It never fails: lines pct
// would skip are skipped with a warning, and keys with bad values are kept
// with their raw values and a warning.
func Parse(data []byte) (*Config, []Warning) {
	p := parse(data)
	return p.cfg, p.warns
}

func parse(data []byte) *parser {
	p := &parser{cfg: &Config{}}
	p.sec = &p.cfg.Main
	lines := bytes.Split(data, []byte("\n"))
	for i, b := range lines {
		p.line(i+1, string(b))
	}
	p.endSection()
	return p
}

func (p *parser) warn(line int, format string, args ...any) {
	p.warns = append(p.warns, Warning{line, fmt.Sprintf(format, args...)})
}

// endSection stores the collected description, as pct does: only when
// it is true in Perl's sense (not "" and not "0").
func (p *parser) endSection() {
	if p.descr != "" && p.descr != "0" {
		p.sec.Description = p.descr
	}
	p.descr = ""
}

func (p *parser) line(n int, l string) {
	// Each pattern below needs a fixed prefix or substring; testing that
	// first keeps the regexps off the lines they cannot match.
	if strings.Trim(l, "\t\n\v\f\r ") == "" {
		return
	}
	bracket := strings.HasPrefix(l, "[")
	if bracket && rePending.MatchString(l) {
		p.endSection()
		if p.cfg.Pending != nil {
			p.dupSec = append(p.dupSec, Warning{n, "section [pve:pending] appears again: pct keeps only the last one"})
		}
		p.cfg.Pending = &Section{Name: "pve:pending"}
		p.sec = p.cfg.Pending
		return
	}
	if m := matchIf(bracket, reSnapshot, l); m != nil {
		p.endSection()
		p.sec = &Section{Name: m[1]}
		for i, s := range p.cfg.Snapshots {
			if s.Name == m[1] {
				p.dupSec = append(p.dupSec, Warning{n, fmt.Sprintf("section [%s] appears again: pct keeps only the last one", m[1])})
				p.cfg.Snapshots[i] = p.sec
				return
			}
		}
		p.cfg.Snapshots = append(p.cfg.Snapshots, p.sec)
		return
	}
	if rest, ok := strings.CutPrefix(l, "#"); ok {
		p.descr += DecodeDescription(rest) + "\n"
		return
	}
	if m := matchIf(strings.HasPrefix(l, "lxc."), reRaw, l); m != nil {
		keep, msg, known := rawKeyStatus(m[1])
		switch {
		case !known:
			p.warn(n, "unable to parse config: %s", l)
		case msg != "":
			p.warn(n, "%s", msg)
		}
		if keep {
			p.sec.Raw = append(p.sec.Raw, Entry{m[1], m[3]})
			p.lines = append(p.lines, lineInfo{p.sec, n, m[1], true, m[3]})
		}
		return
	}
	if m := matchIf(strings.HasPrefix(l, "description:"), reDescr, l); m != nil {
		p.descr += DecodeDescription(m[1])
		return
	}
	if m := matchIf(strings.Contains(l, "snapstate:"), reSnapstate, l); m != nil {
		if p.sec != &p.cfg.Main { // pct drops it from the main section
			p.sec.Set("snapstate", m[1])
		}
		return
	}
	if m := matchIf(strings.HasPrefix(l, "delete:"), reDelete, l); m != nil {
		if p.sec != p.cfg.Pending {
			p.warn(n, "property 'delete' is only allowed in [pve:pending]")
			return
		}
		p.sec.Set("delete", m[1])
		p.lines = append(p.lines, lineInfo{p.sec, n, "delete", false, m[1]})
		return
	}
	if m := reKey.FindStringSubmatch(l); m != nil {
		p.keyLine(n, m[1], m[2])
		return
	}
	p.warn(n, "unable to parse config: %s", l)
}

// matchIf runs re on l only when the cheap test says it can match.
func matchIf(can bool, re *regexp.Regexp, l string) []string {
	if !can {
		return nil
	}
	return re.FindStringSubmatch(l)
}

func (p *parser) keyLine(n int, key, value string) {
	v, err := checkType(key, value)
	if err != nil {
		p.warn(n, "unable to parse value of '%s' - %v", key, err)
	}
	p.lines = append(p.lines, lineInfo{p.sec, n, key, false, value})
	if internalKeys[key] || key == "description" {
		return
	}
	if key == "env" { // pct keeps env as lxc.environment.runtime lines
		p.sec.SetRaw("lxc.environment.runtime", strings.Split(v, "\x00"))
		return
	}
	p.sec.Set(key, v)
}
