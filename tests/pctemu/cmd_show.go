package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
)

// cmdList prints the table of `pct list`, or nothing without CTs.
func cmdList(e *env, p *params) error {
	ids := e.ids()
	if len(ids) == 0 {
		return nil
	}
	fmt.Fprintf(e.stdout, "%-10s %-10s %-12s %-20s\n", "VMID", "Status", "Lock", "Name")
	for _, id := range ids {
		c, err := e.load(id)
		if err != nil {
			continue
		}
		lock, _ := c.Main.Get("lock")
		name, ok := c.Main.Get("hostname")
		name = strings.Join(strings.Fields(name), "")
		if !ok || name == "" {
			name = "CT" + id
		}
		fmt.Fprintf(e.stdout, "%-10s %-10s %-12s %-20s\n", id, e.statusWord(id), lock, name)
	}
	return nil
}

func (e *env) statusWord(id string) string {
	if e.running(id) {
		return "running"
	}
	return "stopped"
}

// cmdStatus prints `status: running|stopped`, or every field with --verbose.
func cmdStatus(e *env, p *params) error {
	id := p.pos["vmid"]
	c, err := e.load(id)
	if err != nil {
		return err
	}
	st := e.statusWord(id)
	if !p.flag("verbose") {
		fmt.Fprintf(e.stdout, "status: %s\n", st)
		return nil
	}
	m := &c.Main
	mem, _ := strconv.ParseInt(getOr(m, "memory", "512"), 10, 64)
	swap, _ := strconv.ParseInt(getOr(m, "swap", "512"), 10, 64)
	name := getOr(m, "hostname", "CT"+id)
	f := map[string]string{
		"cpus": getOr(m, "cores", "1"), "disk": "0", "diskread": "0", "diskwrite": "0",
		"maxdisk": strconv.FormatInt(rootfsBytes(m), 10), "maxmem": strconv.FormatInt(mem<<20, 10),
		"maxswap": strconv.FormatInt(swap<<20, 10), "mem": "0", "name": name, "netin": "0", "netout": "0",
		"status": st, "swap": "0", "type": "lxc", "uptime": "0", "vmid": id,
	}
	if v, ok := m.Get("lock"); ok {
		f["lock"] = v
	}
	if v, ok := m.Get("tags"); ok {
		f["tags"] = v
	}
	if v, _ := m.Get("template"); v == "1" {
		f["template"] = "1"
	}
	if st == "running" {
		f["pid"] = strconv.Itoa(initPid(id))
	}
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(e.stdout, "%s: %s\n", k, f[k])
	}
	return nil
}

func getOr(s *conf.Section, k, def string) string {
	if v, ok := s.Get(k); ok {
		return v
	}
	return def
}

// cmdConfig prints one section as `pct config` does.
func cmdConfig(e *env, p *params) error {
	id := p.pos["vmid"]
	if p.has("snapshot") && p.has("current") {
		return paramErr("snapshot", "cannot use 'snapshot' parameter with 'current'")
	}
	c, err := e.load(id)
	if err != nil {
		return err
	}
	var s *conf.Section
	switch {
	case p.has("snapshot"):
		if s = c.Snapshot(p.get("snapshot")); s == nil {
			return fmt.Errorf("snapshot '%s' does not exist", p.get("snapshot"))
		}
	case p.flag("current") || c.Pending == nil:
		s = &c.Main
	default:
		s = merged(c)
	}
	printSection(e, s)
	return nil
}

// merged is the main section with pending values applied.
func merged(c *conf.Config) *conf.Section {
	s := copySection(&c.Main)
	for _, k := range pendingDeletes(c) {
		s.Delete(k)
	}
	for _, en := range c.Pending.Entries {
		if en.Key != "delete" {
			s.Set(en.Key, en.Value)
		}
	}
	if c.Pending.Description != "" {
		s.Description = c.Pending.Description
	}
	return s
}

func printSection(e *env, s *conf.Section) {
	lines := map[string]string{}
	for _, en := range s.Entries {
		lines[en.Key] = en.Value
	}
	if s.Description != "" {
		lines["description"] = conf.EncodeDescription(s.Description)
	}
	for _, k := range sortedKeys(lines) {
		fmt.Fprintf(e.stdout, "%s: %s\n", k, lines[k])
	}
	for _, r := range s.Raw {
		fmt.Fprintf(e.stdout, "%s: %s\n", r.Key, r.Value)
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// cmdPending prints cur/new/del lines per key.
func cmdPending(e *env, p *params) error {
	c, err := e.load(p.pos["vmid"])
	if err != nil {
		return err
	}
	cur, pend := map[string]string{}, map[string]string{}
	for _, en := range c.Main.Entries {
		cur[en.Key] = en.Value
	}
	if c.Main.Description != "" {
		cur["description"] = conf.EncodeDescription(c.Main.Description)
	}
	del := map[string]bool{}
	if c.Pending != nil {
		for _, en := range c.Pending.Entries {
			if en.Key != "delete" {
				pend[en.Key] = en.Value
			}
		}
		if c.Pending.Description != "" {
			pend["description"] = conf.EncodeDescription(c.Pending.Description)
		}
		for _, k := range pendingDeletes(c) {
			del[k] = true
		}
	}
	all := map[string]string{}
	for k := range cur {
		all[k] = ""
	}
	for k := range pend {
		all[k] = ""
	}
	for _, k := range sortedKeys(all) {
		cv, hasCur := cur[k]
		nv, hasNew := pend[k]
		switch {
		case del[k] && hasCur:
			fmt.Fprintf(e.stdout, "del %s: %s\n", k, cv)
		case hasCur && hasNew:
			fmt.Fprintf(e.stdout, "cur %s: %s\nnew %s: %s\n", k, cv, k, nv)
		case hasCur:
			fmt.Fprintf(e.stdout, "cur %s: %s\n", k, cv)
		case hasNew:
			fmt.Fprintf(e.stdout, "new %s: %s\n", k, nv)
		}
	}
	return nil
}

// cmdListSnapshot prints the snapshot tree ending in "current".
func cmdListSnapshot(e *env, p *params) error {
	c, err := e.load(p.pos["vmid"])
	if err != nil {
		return err
	}
	type node struct {
		name, parent, time, desc string
		snaptime                 int64
	}
	var nodes []node
	known := map[string]bool{}
	for _, s := range c.Snapshots {
		known[s.Name] = true
	}
	for _, s := range c.Snapshots {
		par, _ := s.Get("parent")
		if !known[par] {
			par = ""
		}
		t, _ := strconv.ParseInt(getOr(s, "snaptime", "0"), 10, 64)
		desc := "no-description"
		if d := strings.SplitN(s.Description, "\n", 2)[0]; d != "" {
			desc = d
		}
		nodes = append(nodes, node{s.Name, par, time.Unix(t, 0).Format("2006-01-02 15:04:05"), desc, t})
	}
	sort.SliceStable(nodes, func(i, j int) bool { return nodes[i].snaptime < nodes[j].snaptime })
	par, _ := c.Main.Get("parent")
	if !known[par] {
		par = ""
	}
	nodes = append(nodes, node{name: "current", parent: par, desc: "You are here!"})
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		for _, n := range nodes {
			if n.parent != parent {
				continue
			}
			prefix := strings.Repeat(" ", depth) + "`->"
			fmt.Fprintf(e.stdout, "%s %-*s %-23s %s\n", prefix, 30-len(prefix), n.name, n.time, n.desc)
			if n.name != "current" {
				walk(n.name, depth+1)
			}
		}
	}
	walk("", 0)
	return nil
}
