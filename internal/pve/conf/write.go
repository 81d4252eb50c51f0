package conf

import (
	"bytes"
	"sort"
	"strings"
)

// Bytes writes the config in pct's canonical form (pct-spec.md §2.3).
// Values that contain a newline, which pct refuses to write, have it
// replaced by a space so that the output stays a valid conf.
func (c *Config) Bytes() []byte {
	var b bytes.Buffer
	writeSection(&b, &c.Main, true)
	if c.Pending != nil && !c.Pending.empty() {
		b.WriteString("\n[pve:pending]\n")
		writeSection(&b, c.Pending, false)
	}
	snaps := append([]*Section(nil), c.Snapshots...)
	sort.SliceStable(snaps, func(i, j int) bool { return snaps[i].Name < snaps[j].Name })
	for _, s := range snaps {
		b.WriteString("\n[" + s.Name + "]\n")
		writeSection(&b, s, false)
	}
	return b.Bytes()
}

// Fmt returns data as pct would write it back after loading it.
func Fmt(data []byte) []byte {
	c, _ := Parse(data)
	return c.Bytes()
}

func writeSection(b *bytes.Buffer, s *Section, main bool) {
	for _, l := range descriptionLines(s.Description) {
		b.WriteString("#" + EncodeDescription(l) + "\n")
	}
	entries := append([]Entry(nil), s.Entries...)
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Key < entries[j].Key })
	used := map[string]bool{}
	if main {
		used = usedVolumes(s)
	}
	for i, e := range entries {
		if i > 0 && entries[i-1].Key == e.Key || internalKeys[e.Key] || e.Key == "description" || e.Key == "env" {
			continue
		}
		if main && (e.Key == "snapstate" || strings.HasPrefix(e.Key, "unused") && used[e.Value]) {
			continue
		}
		b.WriteString(e.Key + ": " + oneLine(e.Value) + "\n")
	}
	for _, e := range s.Raw {
		if e.Key == "lxc.environment.runtime" {
			b.WriteString(e.Key + ": " + oneLine(e.Value) + "\n")
		}
	}
	for _, e := range s.Raw {
		if e.Key != "lxc.environment.runtime" {
			b.WriteString(e.Key + ": " + oneLine(e.Value) + "\n")
		}
	}
}

// descriptionLines splits a description the way Perl's split(/\n/) does:
// trailing empty lines are dropped, inner ones kept.
func descriptionLines(d string) []string {
	l := strings.Split(d, "\n")
	for len(l) > 0 && l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}

func oneLine(v string) string { return strings.ReplaceAll(v, "\n", " ") }

// usedVolumes are the volumes of rootfs and mpN; pct drops unusedN
// entries that name one of them.
func usedVolumes(s *Section) map[string]bool {
	used := map[string]bool{}
	for _, e := range s.Entries {
		if e.Key == "rootfs" || strings.HasPrefix(e.Key, "mp") {
			if p, err := ParseProps(e.Value, mountSchema); err == nil {
				if v, ok := p.Get("volume"); ok {
					used[v] = true
				}
			}
		}
	}
	return used
}
