package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// fakeCT is one container of the in-memory backend.
type fakeCT struct {
	conf      map[string]string
	unpriv    bool
	running   bool
	given     idmap.Set
	snapshots []string
	records   map[string]string
	mounts    []backend.Mount
	execs     [][]string
}

// fake is an in-memory backend: it counts every state-changing call, and can
// be told to give containers a wrong id map (to test the gate).
type fake struct {
	cts       map[int]*fakeCT
	mutations []string
	observes  int
	wrongMap  bool
	failAt    int // fail the Nth mutation (1-based); 0: never
}

var _ backend.Backend = (*fake)(nil)

func newFake() *fake { return &fake{cts: map[int]*fakeCT{}} }

func (f *fake) Name() string { return "fake" }

func (f *fake) Fields() map[string]string { return map[string]string{} }

func (f *fake) Observe(_ context.Context, ids []int) (map[int]*backend.State, error) {
	f.observes++
	out := map[int]*backend.State{}
	for _, id := range ids {
		c := f.cts[id]
		if c == nil {
			out[id] = &backend.State{CTID: id}
			continue
		}
		st := &backend.State{CTID: id, Exists: true, Running: c.running, Unprivileged: c.unpriv,
			Hostname: c.conf["hostname"], ConfText: render(c.conf), Snapshots: append([]string{}, c.snapshots...),
			Records: map[string]string{}, Mounts: append([]backend.Mount{}, c.mounts...), GivenMap: c.given, GivenMapFrom: "fake"}
		for k, v := range c.records {
			st.Records[k] = v
		}
		if c.running {
			st.RunningMap, st.InitPID = c.given, 4242
		}
		out[id] = st
	}
	return out, nil
}

func render(conf map[string]string) string {
	keys := make([]string, 0, len(conf))
	for k := range conf {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, conf[k])
	}
	return b.String()
}

// act builds an action whose Do counts as one mutation and then runs do.
func (f *fake) act(name backend.Kind, argv []string, do func(), pred *backend.State) backend.Action {
	return backend.Action{Name: name, Argv: argv, Do: func(context.Context) error {
		f.mutations = append(f.mutations, strings.Join(argv, " "))
		if f.failAt == len(f.mutations) {
			return fmt.Errorf("injected failure of %q", strings.Join(argv, " "))
		}
		do()
		return nil
	}}
}

func desired(s *schema.Spec) map[string]string {
	conf := map[string]string{"hostname": s.Name}
	if s.MemoryMB > 0 {
		conf["memory"] = strconv.Itoa(s.MemoryMB)
	}
	if s.Cores > 0 {
		conf["cores"] = strconv.Itoa(s.Cores)
	}
	for _, l := range s.Idmap {
		conf["lxc.idmap "+l[:1]+l[2:strings.IndexByte(l[2:], ' ')+2]] = l
	}
	return conf
}

func (f *fake) Create(id int, s *schema.Spec) (backend.Action, *backend.State, error) {
	conf := desired(s)
	pred := &backend.State{CTID: id, Exists: true, Unprivileged: s.IsUnprivileged(), ConfText: render(conf), Records: map[string]string{}}
	return f.act("create", []string{"fake", "create", strconv.Itoa(id)}, func() {
		f.cts[id] = &fakeCT{conf: conf, unpriv: s.IsUnprivileged(), records: map[string]string{}}
	}, pred), pred, nil
}

func (f *fake) Clone(id int, src *backend.State, snap string, s *schema.Spec) (backend.Action, *backend.State, error) {
	pred := *src
	pred.CTID, pred.Snapshots, pred.Running, pred.GivenMap, pred.RunningMap = id, nil, false, nil, nil
	conf := parse(src.ConfText)
	conf["hostname"] = s.Name
	pred.ConfText, pred.Records = render(conf), map[string]string{}
	return f.act("clone", []string{"fake", "clone", strconv.Itoa(src.CTID), strconv.Itoa(id), "--snapname", snap}, func() {
		sc := f.cts[src.CTID]
		conf := map[string]string{}
		for k, v := range sc.conf {
			conf[k] = v
		}
		conf["hostname"] = s.Name
		f.cts[id] = &fakeCT{conf: conf, unpriv: sc.unpriv, records: map[string]string{}}
	}, &pred), &pred, nil
}

func (f *fake) Configure(st *backend.State, s *schema.Spec) ([]backend.Action, *backend.State, error) {
	want := desired(s)
	have := parse(st.ConfText)
	var diff []string
	for k, v := range want {
		if have[k] != v {
			diff = append(diff, k+"="+v)
		}
	}
	if len(diff) == 0 {
		return nil, st, nil
	}
	sort.Strings(diff)
	for k, v := range want {
		have[k] = v
	}
	pred := *st
	pred.ConfText = render(have)
	a := f.act("set", append([]string{"fake", "set", strconv.Itoa(st.CTID)}, diff...), func() {
		for k, v := range want {
			f.cts[st.CTID].conf[k] = v
		}
		f.cts[st.CTID].given = nil // the map is only known again after a start
	}, &pred)
	return []backend.Action{a}, &pred, nil
}

func parse(text string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(text, "\n") {
		if k, v, ok := strings.Cut(l, ": "); ok {
			m[k] = v
		}
	}
	return m
}

func (f *fake) Mounts(st *backend.State, spec *schema.Spec) ([]backend.Action, *backend.State, error) {
	vols := spec.SharedVolumes
	var add []backend.Mount
	for _, v := range vols {
		found := false
		for _, m := range st.Mounts {
			found = found || (m.HostPath == v.HostPath && m.MountPath == v.MountPath)
		}
		if !found {
			add = append(add, backend.Mount{Key: "mp" + strconv.Itoa(len(st.Mounts)+len(add)), HostPath: v.HostPath, MountPath: v.MountPath})
		}
	}
	if len(add) == 0 {
		return nil, st, nil
	}
	pred := *st
	pred.Mounts = append(append([]backend.Mount{}, st.Mounts...), add...)
	return []backend.Action{f.act("set", []string{"fake", "mount", strconv.Itoa(st.CTID)}, func() {
		f.cts[st.CTID].mounts = append(f.cts[st.CTID].mounts, add...)
	}, &pred)}, &pred, nil
}

func (f *fake) mapOf(c *fakeCT) idmap.Set {
	var lines []string
	for k, v := range c.conf {
		if strings.HasPrefix(k, "lxc.idmap") {
			lines = append(lines, v)
		}
	}
	m, _ := idmap.Parse(lines)
	switch {
	case f.wrongMap:
		return idmap.Set{{Kind: idmap.UID, HostID: 200000, Count: 65536}, {Kind: idmap.GID, HostID: 200000, Count: 65536}}
	case len(m) > 0:
		return m
	case c.unpriv:
		return idmap.Default()
	}
	return idmap.Identity()
}

func (f *fake) Start(st *backend.State) backend.Action {
	return f.act("start", []string{"fake", "start", strconv.Itoa(st.CTID)}, func() {
		c := f.cts[st.CTID]
		c.running, c.given = true, f.mapOf(c)
	}, nil)
}

func (f *fake) Stop(st *backend.State) backend.Action {
	return f.act("stop", []string{"fake", "stop", strconv.Itoa(st.CTID)}, func() { f.cts[st.CTID].running = false }, nil)
}

func (f *fake) Unprotect(st *backend.State) backend.Action {
	return f.act("set", []string{"fake", "unprotect", strconv.Itoa(st.CTID)}, func() {}, nil)
}

func (f *fake) Destroy(st *backend.State) backend.Action {
	return f.act("destroy", []string{"fake", "destroy", strconv.Itoa(st.CTID)}, func() { delete(f.cts, st.CTID) }, nil)
}

func (f *fake) Snapshot(st *backend.State, name string) backend.Action {
	return f.act("snapshot", []string{"fake", "snapshot", strconv.Itoa(st.CTID), name}, func() {
		c := f.cts[st.CTID]
		c.snapshots = append(c.snapshots, name)
	}, nil)
}

func (f *fake) Exec(id int, argv []string, stdin []byte) backend.Action {
	return f.act("exec", append([]string{"fake", "exec", strconv.Itoa(id), "--"}, argv...), func() {
		f.cts[id].execs = append(f.cts[id].execs, argv)
	}, nil)
}

// Capture answers what a fresh container would: mktemp makes a folder,
// stat finds it and its parents root's.
func (f *fake) Capture(id int, argv []string, out *string) backend.Action {
	a := f.Exec(id, argv, nil)
	do := a.Do
	a.Do = func(ctx context.Context) error {
		switch argv[0] {
		case "mktemp":
			*out = strings.ReplaceAll(argv[len(argv)-1], "X", "a") + "\n"
		case "stat":
			*out = "0 755 directory\n0 1777 directory\n0 700 directory\n"
		}
		return do(ctx)
	}
	return a
}

func (f *fake) Push(id int, content []byte, path, mode string) backend.Action {
	return f.act("push", []string{"fake", "push", strconv.Itoa(id), path}, func() {}, nil)
}

func (f *fake) Record(st *backend.State, key, value string) backend.Action {
	return f.act("record", []string{"fake", "record", strconv.Itoa(st.CTID), key}, func() { f.cts[st.CTID].records[key] = value }, nil)
}
