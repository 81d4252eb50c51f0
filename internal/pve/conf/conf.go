package conf

import "slices"

// Entry is one "key: value" line of a section.
type Entry struct{ Key, Value string }

// Section is one part of a conf file: the main section, [pve:pending], or
// one snapshot.
type Section struct {
	// Name is "" for the main section, "pve:pending", or the snapshot name.
	Name string
	// Description is the decoded text of the section's '#' lines (each
	// followed by "\n") and of its description: values.
	Description string
	// Entries are the normal keys, in parse order; the writer sorts them.
	Entries []Entry
	// Raw are the lxc.* keys in file order (Key like "lxc.idmap").
	Raw []Entry
}

// Get returns the value of a normal key and whether it is set.
func (s *Section) Get(key string) (string, bool) {
	for _, e := range s.Entries {
		if e.Key == key {
			return e.Value, true
		}
	}
	return "", false
}

// Set adds a normal key or replaces its value.
func (s *Section) Set(key, value string) {
	for i := range s.Entries {
		if s.Entries[i].Key == key {
			s.Entries[i].Value = value
			return
		}
	}
	s.Entries = append(s.Entries, Entry{key, value})
}

// Delete removes a normal key and reports whether it was set.
func (s *Section) Delete(key string) bool {
	n := len(s.Entries)
	s.Entries = slices.DeleteFunc(s.Entries, func(e Entry) bool { return e.Key == key })
	return len(s.Entries) != n
}

// RawValues returns every value of one raw lxc.* key, in order.
func (s *Section) RawValues(key string) []string {
	var out []string
	for _, e := range s.Raw {
		if e.Key == key {
			out = append(out, e.Value)
		}
	}
	return out
}

// SetRaw replaces every line of one raw lxc.* key with values. The new
// lines go where the first old line was, or at the end if there was none.
// An empty values removes the key.
func (s *Section) SetRaw(key string, values []string) {
	at := -1
	var out []Entry
	for _, e := range s.Raw {
		if e.Key != key {
			out = append(out, e)
		} else if at < 0 {
			at = len(out)
		}
	}
	if at < 0 {
		at = len(out)
	}
	add := make([]Entry, len(values))
	for i, v := range values {
		add[i] = Entry{key, v}
	}
	s.Raw = slices.Insert(out, at, add...)
}

// empty reports whether the section has nothing to write.
func (s *Section) empty() bool {
	return s.Description == "" && len(s.Entries) == 0 && len(s.Raw) == 0
}

// Config is a whole conf file.
type Config struct {
	Main Section
	// Pending is nil when the file has no [pve:pending] section.
	Pending *Section
	// Snapshots may be in any order; Bytes writes them sorted by name.
	Snapshots []*Section
}

// Snapshot returns the snapshot section called name, or nil.
func (c *Config) Snapshot(name string) *Section {
	for _, s := range c.Snapshots {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Warning is one problem found in a conf file. Line is 1-based (0 when
// the problem has no single line); Msg uses pct's words where pct has
// them, without pct's "vm <id> - " prefix.
type Warning struct {
	Line int
	Msg  string
}
