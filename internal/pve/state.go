package pve

import (
	"sort"
	"strconv"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// RecordPrefix starts the description lines where phoenix_lxc remembers
// what it ran: "phoenix_lxc: feature:docker=sha256:...". Notes may not
// start so (schema validation), so they cannot fake a record.
const RecordPrefix = schema.RecordPrefix

// stateFromConf fills what a conf file says about a container. Running,
// the id maps and InitPID come from elsewhere.
func stateFromConf(ctid int, cfg *conf.Config) *backend.State {
	m := &cfg.Main
	st := &backend.State{
		CTID:         ctid,
		Exists:       true,
		Template:     isOne(m, "template"),
		Protected:    isOne(m, "protection"),
		Unprivileged: isOne(m, "unprivileged"),
		Records:      parseRecords(m.Description),
		ConfText:     string(cfg.Bytes()),
	}
	st.Lock, _ = m.Get("lock")
	st.Hostname, _ = m.Get("hostname")
	for _, s := range cfg.Snapshots {
		st.Snapshots = append(st.Snapshots, s.Name)
	}
	sort.Strings(st.Snapshots)
	st.Mounts = bindMounts(m)
	st.Pending = pendingKeys(cfg.Pending)
	return st
}

func isOne(s *conf.Section, key string) bool {
	v, _ := s.Get(key)
	return v == "1"
}

// bindMounts lists the mpN entries whose volume is a host directory.
func bindMounts(s *conf.Section) []backend.Mount {
	var out []backend.Mount
	for _, e := range s.Entries {
		if !isIndexed(e.Key, "mp") {
			continue
		}
		mp, err := conf.ParseMountPoint(e.Value)
		if err != nil || mp.Type() != "bind" {
			continue
		}
		out = append(out, backend.Mount{Key: e.Key, HostPath: mp.Volume, MountPath: mp.MP, ReadOnly: mp.RO != nil && *mp.RO, Idmap: mp.IDMap})
	}
	sort.Slice(out, func(i, j int) bool { return keyIndex(out[i].Key) < keyIndex(out[j].Key) })
	return out
}

// isIndexed reports whether key is prefix followed by a number (mp0, dev12).
func isIndexed(key, prefix string) bool {
	rest, ok := strings.CutPrefix(key, prefix)
	if !ok || rest == "" {
		return false
	}
	_, err := strconv.Atoi(rest)
	return err == nil
}

func keyIndex(key string) int {
	i := strings.IndexAny(key, "0123456789")
	n, _ := strconv.Atoi(key[i:])
	return n
}

// freeKey returns the first prefixN not used in any of the sections.
func freeKey(prefix string, taken map[string]bool) string {
	for n := 0; ; n++ {
		k := prefix + strconv.Itoa(n)
		if !taken[k] {
			taken[k] = true
			return k
		}
	}
}

// pendingKeys lists the keys [pve:pending] sets or deletes.
func pendingKeys(p *conf.Section) []string {
	if p == nil {
		return nil
	}
	var keys []string
	for _, e := range p.Entries {
		if e.Key == "delete" {
			for _, k := range strings.Split(e.Value, ",") {
				if k = strings.TrimPrefix(strings.TrimSpace(k), "!"); k != "" {
					keys = append(keys, k)
				}
			}
			continue
		}
		keys = append(keys, e.Key)
	}
	for _, e := range p.Raw {
		keys = append(keys, e.Key)
	}
	sort.Strings(keys)
	return keys
}

// parseRecords reads the "phoenix_lxc: key=value" description lines.
func parseRecords(desc string) map[string]string {
	recs := map[string]string{}
	for _, l := range strings.Split(desc, "\n") {
		rest, ok := strings.CutPrefix(l, RecordPrefix)
		if !ok {
			continue
		}
		if k, v, ok := strings.Cut(rest, "="); ok {
			recs[k] = v
		}
	}
	return recs
}

// withRecord returns desc with the record line for key replaced (or
// added), keeping every other line, the user's own included.
func withRecord(desc, key, value string) string {
	line := RecordPrefix + key + "=" + value
	var out []string
	replaced := false
	for _, l := range strings.Split(strings.TrimRight(desc, "\n"), "\n") {
		if strings.HasPrefix(l, RecordPrefix+key+"=") {
			if !replaced {
				out = append(out, line)
				replaced = true
			}
			continue
		}
		if l != "" || len(out) > 0 {
			out = append(out, l)
		}
	}
	if !replaced {
		out = append(out, line)
	}
	return strings.Join(out, "\n") + "\n"
}

// withNotes returns desc with the user's notes replaced by notes, above the
// record lines, which stay as they are.
func withNotes(desc, notes string) string {
	var recs []string
	for _, l := range strings.Split(desc, "\n") {
		if strings.HasPrefix(l, RecordPrefix) {
			recs = append(recs, l)
		}
	}
	out := strings.TrimRight(notes, "\n")
	if out != "" {
		out += "\n"
	}
	for _, r := range recs {
		out += r + "\n"
	}
	return out
}

// notesOf is desc without its record lines: the user's notes.
func notesOf(desc string) string {
	var out []string
	for _, l := range strings.Split(desc, "\n") {
		if !strings.HasPrefix(l, RecordPrefix) {
			out = append(out, l)
		}
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n")
}
