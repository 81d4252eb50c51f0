package lxc

import (
	"fmt"
	"strings"
)

// conf is an LXC config file as lines, kept in order so that a rewrite
// keeps every line it does not own (comments, template keys, user keys).
type conf struct {
	lines []string
}

// parseConf reads LXC config text.
func parseConf(text string) *conf {
	text = strings.TrimSuffix(text, "\n")
	if text == "" {
		return &conf{}
	}
	return &conf{lines: strings.Split(text, "\n")}
}

// splitLine returns the key and value of a "key = value" line; ok is false
// for comments, blank lines and lines without "=".
func splitLine(l string) (key, value string, ok bool) {
	t := strings.TrimSpace(l)
	if t == "" || strings.HasPrefix(t, "#") {
		return "", "", false
	}
	k, v, found := strings.Cut(t, "=")
	if !found {
		return "", "", false
	}
	return strings.TrimSpace(k), unquote(strings.TrimSpace(v)), true
}

// unquote strips one pair of matching quotes, as LXC does when it reads a value.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// String renders the config with a final newline.
func (c *conf) String() string {
	if len(c.lines) == 0 {
		return ""
	}
	return strings.Join(c.lines, "\n") + "\n"
}

// get returns the effective value of a single-valued key: LXC lets the last
// occurrence win.
func (c *conf) get(key string) (string, bool) {
	v, found := "", false
	for _, l := range c.lines {
		if k, val, ok := splitLine(l); ok && k == key {
			v, found = val, true
		}
	}
	return v, found
}

// all returns every value of a list key (lxc.idmap, lxc.mount.entry, ...).
func (c *conf) all(key string) []string {
	var out []string
	for _, l := range c.lines {
		if k, v, ok := splitLine(l); ok && k == key {
			out = append(out, v)
		}
	}
	return out
}

// set makes key's only value v: the last occurrence is replaced in place,
// earlier ones are dropped, and a missing key is appended.
func (c *conf) set(key, v string) {
	last := -1
	for i, l := range c.lines {
		if k, _, ok := splitLine(l); ok && k == key {
			last = i
		}
	}
	line := key + " = " + v
	if last < 0 {
		c.lines = append(c.lines, line)
		return
	}
	var out []string
	for i, l := range c.lines {
		if k, _, ok := splitLine(l); ok && k == key && i != last {
			continue
		}
		if i == last {
			l = line
		}
		out = append(out, l)
	}
	c.lines = out
}

// remove drops every line whose key matches.
func (c *conf) remove(match func(key, value string) bool) {
	var out []string
	for _, l := range c.lines {
		if k, v, ok := splitLine(l); ok && match(k, v) {
			continue
		}
		out = append(out, l)
	}
	c.lines = out
}

// has reports whether the list key holds value v.
func (c *conf) has(key, v string) bool {
	for _, x := range c.all(key) {
		if x == v {
			return true
		}
	}
	return false
}

// add appends key = v.
func (c *conf) add(key, v string) { c.lines = append(c.lines, key+" = "+v) }

// checkValue rejects a value that could break out of its config line.
func checkValue(field, v string) error {
	if strings.ContainsAny(v, "\n\r\x00") {
		return fmt.Errorf("%s: %q contains a line break or NUL, which would inject a line into the LXC config", field, v)
	}
	return nil
}
