package lxc

import (
	"sort"
	"strings"
)

// kv is one config line's key and value.
type kv struct{ Key, Value string }

// edit is what the backend wants of a config: single-valued keys set or
// removed, whole key families owned, and entries of list keys present or
// absent. Lines it does not mention are kept as they are.
type edit struct {
	set        map[string]string
	drop       []string // single-valued keys that must be absent
	dropPrefix []string // key families owned: keys with this prefix not in set are removed
	keep       []string // keys of an owned family left as they are
	add        []kv     // list entries that must be present
	del        []kv     // list entries that must be absent
}

func newEdit() *edit { return &edit{set: map[string]string{}} }

// apply changes c and returns one line per change ("key = value" set,
// "-key = value" removed), in a stable order, and the keys touched.
func (e *edit) apply(c *conf) (changes, keys []string) {
	touched := map[string]bool{}
	note := func(s, key string) { changes = append(changes, s); touched[key] = true }
	setKeys := make([]string, 0, len(e.set))
	for k := range e.set {
		setKeys = append(setKeys, k)
	}
	// LXC starts a new interface at its lxc.net.N.type line: a key of
	// lxc.net.N before it would be lost, so type lines go first.
	sort.Slice(setKeys, func(i, j int) bool {
		if ti, tj := isNetType(setKeys[i]), isNetType(setKeys[j]); ti != tj {
			return ti
		}
		return setKeys[i] < setKeys[j]
	})
	for _, k := range setKeys {
		if v, ok := c.get(k); !ok || v != e.set[k] || len(c.all(k)) > 1 {
			c.set(k, e.set[k])
			note(k+" = "+e.set[k], k)
		}
	}
	drop := func(k, v string) bool {
		for _, d := range e.drop {
			if k == d {
				return true
			}
		}
		for _, p := range e.dropPrefix {
			if _, wanted := e.set[k]; strings.HasPrefix(k, p) && !wanted && !contains(e.keep, k) {
				return true
			}
		}
		for _, d := range e.del {
			if d.Key == k && d.Value == v {
				return true
			}
		}
		return false
	}
	for _, l := range c.lines {
		if k, v, ok := splitLine(l); ok && drop(k, v) {
			note("-"+k+" = "+v, k)
		}
	}
	c.remove(drop)
	for _, a := range e.add {
		if !c.has(a.Key, a.Value) {
			c.add(a.Key, a.Value)
			note(a.Key+" = "+a.Value, a.Key)
		}
	}
	for k := range touched {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return changes, keys
}

// isNetType reports whether k is an lxc.net.N.type key.
func isNetType(k string) bool {
	return strings.HasPrefix(k, "lxc.net.") && strings.HasSuffix(k, ".type") && strings.Count(k, ".") == 3
}

// check rejects any value that could inject a line into the config.
func (e *edit) check() error {
	for k, v := range e.set {
		if err := checkValue(k, v); err != nil {
			return err
		}
	}
	for _, a := range e.add {
		if err := checkValue(a.Key, a.Value); err != nil {
			return err
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
