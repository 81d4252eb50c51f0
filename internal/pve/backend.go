package pve

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/pct"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// Backend is the Proxmox VE backend: it plans pct commands and conf edits,
// and changes nothing outside an Action's Do.
type Backend struct {
	C *pct.Client
	// Node is this host's node name (the node option, else the host name);
	// NodeGiven says the run was told it. /etc/pve/.members, when it
	// names the node, wins.
	Node      string
	NodeGiven bool
	// Files is the node's file system that planning reads (node.go);
	// nil: the Proxmox root on disk.
	Files fs.FS
}

var _ backend.Backend = (*Backend)(nil)

// New returns the Proxmox backend, running pct (at pct) through r, with
// the Proxmox files under root.
func New(r runner.Runner, pctPath, root string) *Backend {
	return &Backend{C: pct.NewClient(r, pctPath, root)}
}

// Name is "pct".
func (b *Backend) Name() string { return "pct" }

// run is an action's Do for a plain pct command.
func (b *Backend) run(argv []string) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := b.C.Run(ctx, argv, nil)
		return err
	}
}

// Start starts the container; one already running is a success.
func (b *Backend) Start(st *backend.State) backend.Action {
	argv := b.C.StartArgv(st.CTID)
	return backend.Action{Step: "start", Name: "start", Argv: argv, Why: "container is stopped",
		Do: func(ctx context.Context) error {
			_, err := b.C.Run(ctx, argv, nil)
			if errors.Is(err, pct.ErrAlreadyRunning) {
				return nil
			}
			return err
		}}
}

// Stop stops the container; one already stopped is a success.
func (b *Backend) Stop(st *backend.State) backend.Action {
	argv := b.C.StopArgv(st.CTID)
	return backend.Action{Step: "state", Name: "stop", Argv: argv, Why: "container is running",
		Do: func(ctx context.Context) error {
			_, err := b.C.Run(ctx, argv, nil)
			if errors.Is(err, pct.ErrNotRunning) {
				return nil
			}
			return err
		}}
}

// Unprotect is `pct set <id> --protection 0`.
func (b *Backend) Unprotect(st *backend.State) backend.Action {
	argv := b.C.SetArgv(st.CTID, []pct.Opt{{Key: "protection", Value: "0"}})
	return backend.Action{Step: "state", Name: "set", Argv: argv, Why: "protection: false, before the destroy", Do: b.run(argv)}
}

// Destroy stops the container when it runs, then destroys it with its
// volumes and its firewall, backup, replication and HA entries (--purge 1).
// Bind-mounted host folders are left alone.
func (b *Backend) Destroy(st *backend.State) backend.Action {
	argv := b.C.DestroyArgv(st.CTID)
	why := "state is absent"
	if st.Running {
		why += "; stops the running container first"
	}
	stop := b.Stop(st)
	return backend.Action{Step: "state", Name: "destroy", Argv: argv, Why: why,
		Do: func(ctx context.Context) error {
			if st.Running {
				if err := stop.Do(ctx); err != nil {
					return err
				}
			}
			_, err := b.C.Run(ctx, argv, nil)
			if errors.Is(err, pct.ErrNotFound) {
				return nil
			}
			return err
		}}
}

// Snapshot takes snapshot name. Proxmox refuses it for a template and for
// a container with a bind or device mount point (ErrSnapshotRefused).
//
// The snapshot's description carries the feature records of this moment:
// Proxmox keeps a snapshot's description with the snapshot, and pct clone
// copies it into the clone's conf, so a clone knows which feature scripts
// its rootfs already went through and does not run them again (a feature
// changed since still runs). Nothing else is carried: the clone's own
// application and secrets are its own.
func (b *Backend) Snapshot(st *backend.State, name string) backend.Action {
	var opts []pct.Opt
	if d := featureRecords(st.Records); d != "" {
		opts = append(opts, pct.Opt{Key: "description", Value: d})
	}
	argv := b.C.SnapshotArgv(st.CTID, name, opts)
	return backend.Action{Step: "snapshot", Name: "snapshot", Argv: argv,
		Why: fmt.Sprintf("snapshot %q does not exist", name), Do: b.run(argv)}
}

// featureRecords renders the feature records as description lines.
func featureRecords(recs map[string]string) string {
	desc := ""
	var keys []string
	for k := range recs {
		if strings.HasPrefix(k, "feature:") || k == managedRecord {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		desc = withRecord(desc, k, recs[k])
	}
	return desc
}

// Exec runs argv inside the running container with stdin (never shown).
func (b *Backend) Exec(ctid int, argv []string, stdin []byte) backend.Action {
	full := b.C.ExecArgv(ctid, argv)
	return backend.Action{Step: "features", Name: "exec", Argv: full,
		Do: func(ctx context.Context) error {
			_, err := b.C.Exec(ctx, ctid, argv, stdin)
			return err
		}}
}

// Capture runs argv inside the running container and keeps its stdout.
func (b *Backend) Capture(ctid int, argv []string, out *string) backend.Action {
	a := b.Exec(ctid, argv, nil)
	a.Do = func(ctx context.Context) error {
		res, err := b.C.Exec(ctx, ctid, argv, nil)
		*out = string(res.Stdout)
		return err
	}
	return a
}

// Push writes content to path inside the running container: a 0600 temp
// file on the host, `pct push`, then a check that pct reported no error
// (pct push exits 0 when it fails). pct push writes as the container's
// root in its namespaces, so a symlink cannot lead out of the container;
// but it creates the file with O_EXCL and, when that fails, opens what is
// there with O_TRUNC, following a symlink (pve-container, pct.pm
// create_file): push only into a folder no other user can write.
func (b *Backend) Push(ctid int, content []byte, path string, mode string) backend.Action {
	argv := b.C.PushArgv(ctid, "<temp file>", path, mode)
	return backend.Action{Step: "application", Name: "push", Argv: argv,
		Why: fmt.Sprintf("%d bytes to %s", len(content), path),
		Do: func(ctx context.Context) error {
			return b.C.Push(ctx, ctid, content, path, mode)
		}}
}

// Record remembers key=value in the container's description, as a
// "phoenix_lxc: key=value" line; the user's own lines stay. The current
// description is read when the action runs, so several records in a row
// all survive.
func (b *Backend) Record(st *backend.State, key, value string) backend.Action {
	desc := ""
	if cfg, _ := conf.Parse([]byte(st.ConfText)); cfg != nil {
		desc = cfg.Main.Description
	}
	argv := b.C.SetArgv(st.CTID, []pct.Opt{{Key: "description", Value: withRecord(desc, key, value)}})
	return backend.Action{Step: "features", Name: "record", Argv: argv,
		Why: fmt.Sprintf("remember %s", key),
		Do: func(ctx context.Context) error {
			data, err := os.ReadFile(b.C.Conf(st.CTID))
			if err != nil {
				return fmt.Errorf("record %s: %w", key, err)
			}
			cfg, _ := conf.Parse(data)
			if cfg.Main.Description != "" && parseRecords(cfg.Main.Description)[key] == value {
				return nil
			}
			now := b.C.SetArgv(st.CTID, []pct.Opt{{Key: "description", Value: withRecord(cfg.Main.Description, key, value)}})
			_, err = b.C.Run(ctx, now, nil)
			return err
		}}
}

// Fields: the Proxmox backend honours every spec field (the application
// settings and ports reach the application script in its pushed spec).
func (b *Backend) Fields() map[string]string {
	return map[string]string{
		"name": "", "memory_mb": "", "swap_mb": "", "cores": "", "template": "", "storage_pool": "", "storage_size_gb": "",
		"network_config": "", "mac_address": "", "networks": "", "features": "", "gpu_assignment": "", "portainer_role": "", "unprivileged": "",
		"clone_from_ctid": "", "template_snapshot_name": "", "application_script": "", "pct_options": "", "ports": "",
		"health_check": "", "firewall": "", "dependencies": "", "start_at_boot": "", "boot_order": "", "boot_delay": "", "node": "",
		"nameserver": "", "searchdomain": "", "tags": "", "protection": "", "description": "", "idmap": "", "shared_volumes": "",
		"password": "", "ssh_public_keys": "", "vllm_model": "", "vllm_served_model_name": "", "vllm_port": "",
		"vllm_tensor_parallel_size": "", "vllm_gpu_memory_utilization": "", "vllm_max_model_len": "", "vllm_args": "",
	}
}
