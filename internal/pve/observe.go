package pve

import (
	"context"
	"errors"
	"os"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/pct"
)

// Observe reads the states of ctids from files alone, without running pct:
// which containers run from /proc/net/unix, as pct itself decides it; the
// conf (a missing conf means the container is absent from this node, and
// .vmlist says which other node holds it, if any; lock, template flag,
// snapshots, pending changes and records are in it), the generated LXC
// config's lxc.idmap lines (GivenMap), and for a running container the
// uid_map/gid_map of its init (RunningMap).
func (b *Backend) Observe(ctx context.Context, ctids []int) (map[int]*backend.State, error) {
	active, err := activeContainers(b.C.NetUnix(), ctids)
	if err != nil {
		return nil, err // the caller says what it was observing
	}
	cl, err := b.cluster()
	if err != nil {
		return nil, err
	}
	out := make(map[int]*backend.State, len(ctids))
	for _, ctid := range ctids {
		st, err := b.observeOne(ctid, active, cl)
		if err != nil {
			return nil, err
		}
		out[ctid] = st
	}
	return out, nil
}

func (b *Backend) observeOne(ctid int, active map[int]bool, cl cluster) (*backend.State, error) {
	data, err := pct.ReadFile(b.C.Conf(ctid))
	if errors.Is(err, os.ErrNotExist) {
		return &backend.State{CTID: ctid, Elsewhere: cl.elsewhere(ctid)}, nil
	}
	if err != nil {
		return nil, err
	}
	cfg, _ := conf.Parse(data)
	st := stateFromConf(ctid, cfg)
	st.Running = active[ctid]
	st.GivenMapFrom = b.C.Generated(ctid)
	st.GivenMap, st.Generated, err = givenMap(st.GivenMapFrom, !st.Unprivileged && len(cfg.Main.RawValues("lxc.idmap")) == 0)
	if err != nil {
		return nil, err
	}
	if st.Running {
		st.InitPID, st.RunningMap, err = runningMap(b.C.Paths, ctid)
		if err != nil {
			return nil, err
		}
	}
	return st, nil
}
