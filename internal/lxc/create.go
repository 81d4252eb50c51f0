package lxc

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// templateName is what may follow "lxc:" (a script in LXC's templates dir).
var templateName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// tarballSuffixes are the rootfs archives Create extracts (tar detects the
// compression itself).
var tarballSuffixes = []string{".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.zst"}

// Create plans making ctid from spec.Template: `lxc:<name>` runs that LXC
// template with lxc-create; a rootfs tarball is extracted as the
// container's root through its id map, in a staging directory renamed into
// place at the end. The config given at creation carries the id map and the
// network; Configure sets the rest.
func (b *Backend) Create(ctid int, spec *schema.Spec) (backend.Action, *backend.State, error) {
	m, err := desiredMap(spec)
	if err != nil {
		return backend.Action{}, nil, err
	}
	c := &conf{}
	lines := idmapLines(m)
	for _, l := range lines {
		c.add("lxc.idmap", l)
	}
	if len(lines) == 0 {
		m = nil // privileged: no user namespace to create or extract in
	}
	c.add("lxc.net.0.type", "empty")
	pred := &backend.State{CTID: ctid, Records: map[string]string{}}
	tmpl := spec.Template
	switch {
	case strings.HasPrefix(tmpl, "lxc:"):
		name := strings.TrimPrefix(tmpl, "lxc:")
		if !templateName.MatchString(name) {
			return backend.Action{}, nil, fmt.Errorf("template: %q is not an LXC template name (lxc:busybox, lxc:download, ...)", tmpl)
		}
		cfg := filepath.Join(b.LXCPath, "."+strconv.Itoa(ctid)+".create.conf")
		argv := b.lxc("lxc-create", ctid, "-t", name, "-f", cfg)
		_ = fillFromConf(pred, c.String(), b.confPath(ctid))
		return backend.Action{Step: "define", Name: "create", Argv: argv,
			Why: fmt.Sprintf("CT %d does not exist; create it with the LXC template %q", ctid, name),
			Do: func(ctx context.Context) error {
				// A killed lxc-create leaves its directory marked partial, and
				// lxc-create refuses to run over it: remove the leftover.
				if _, err := os.Stat(filepath.Join(b.dir(ctid), "partial")); err == nil {
					if err := os.RemoveAll(b.dir(ctid)); err != nil {
						return fmt.Errorf("remove the leftover of a killed lxc-create: %w", err)
					}
				}
				if err := os.MkdirAll(b.LXCPath, 0o755); err != nil {
					return fmt.Errorf("LXC path: %w", err)
				}
				if err := writeAtomic(cfg, []byte(c.String()), 0o600); err != nil {
					return err
				}
				defer os.Remove(cfg)
				_, err := b.r.Run(ctx, runner.Cmd{Argv: argv})
				return err
			}}, pred, nil
	case hasAnySuffix(tmpl, tarballSuffixes) && filepath.IsAbs(tmpl):
		c.add("lxc.rootfs.path", "dir:"+b.rootfsPath(ctid))
		c.add("lxc.include", filepath.Join(b.ShareDir, "config", "common.conf"))
		if len(m) > 0 {
			c.add("lxc.include", filepath.Join(b.ShareDir, "config", "userns.conf"))
		}
		_ = fillFromConf(pred, c.String(), b.confPath(ctid))
		if _, err := os.Stat(tmpl); err != nil {
			return backend.Action{}, nil, fmt.Errorf("template: %w", err)
		}
		return b.extractAction(ctid, tmpl, m, c), pred, nil
	default:
		return backend.Action{}, nil, fmt.Errorf("template: %q is neither lxc:<name> nor a rootfs tarball (%s) on this host; the lxc backend cannot use Proxmox storage volumes", tmpl, strings.Join(tarballSuffixes, ", "))
	}
}

// extractAction builds the container in <lxcpath>/.<ctid>.partial and
// renames it into place, so a run killed half way leaves no container.
func (b *Backend) extractAction(ctid int, tarball string, m idmap.Set, c *conf) backend.Action {
	stage := filepath.Join(b.LXCPath, "."+strconv.Itoa(ctid)+".partial")
	rootfs := filepath.Join(stage, "rootfs")
	tar := []string{"tar", "--numeric-owner", "--exclude=./dev/*", "-xpf", tarball, "-C", rootfs}
	argv := tar
	if len(m) > 0 {
		argv = append([]string{"lxc-usernsexec"}, append(usernsArgs(m), append([]string{"--"}, tar...)...)...)
	}
	rootUID, _ := m.ToHost(idmap.UID, 0)
	rootGID, _ := m.ToHost(idmap.GID, 0)
	return backend.Action{Step: "define", Name: "create", Argv: argv,
		Why: fmt.Sprintf("CT %d does not exist; extract %s as its rootfs, owned through its id map", ctid, tarball),
		Do: func(ctx context.Context) error {
			if _, err := os.Stat(tarball); err != nil {
				return fmt.Errorf("template: %w", err)
			}
			if err := os.RemoveAll(stage); err != nil {
				return fmt.Errorf("remove the leftover %s: %w", stage, err)
			}
			if err := os.MkdirAll(rootfs, 0o755); err != nil {
				return err
			}
			for _, d := range []string{stage, rootfs} {
				if err := os.Lchown(d, int(rootUID), int(rootGID)); err != nil {
					return err
				}
			}
			if err := os.Chmod(stage, 0o770); err != nil {
				return err
			}
			if _, err := b.r.Run(ctx, runner.Cmd{Argv: argv}); err != nil {
				return fmt.Errorf("extract %s (it must be readable by the container's root, host uid %d): %w", tarball, rootUID, err)
			}
			if err := writeAtomic(filepath.Join(stage, "config"), []byte(c.String()), 0o640); err != nil {
				return err
			}
			return os.Rename(stage, b.dir(ctid))
		}}
}

// usernsArgs renders a map as lxc-usernsexec -m options.
func usernsArgs(m idmap.Set) []string {
	var out []string
	for _, e := range m {
		out = append(out, "-m", fmt.Sprintf("%c:%d:%d:%d", e.Kind, e.ContainerID, e.HostID, e.Count))
	}
	return out
}

func hasAnySuffix(s string, suffixes []string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

// Clone plans copying the snapshot snap of src to a new container ctid with
// lxc-copy (the source and its snapshot stay as they are); it carries over
// the records the snapshot kept. Configure then sets the hostname and the
// rest of spec.
func (b *Backend) Clone(ctid int, src *backend.State, snap string, spec *schema.Spec) (backend.Action, *backend.State, error) {
	if err := noIdmappedVolumes(spec); err != nil {
		return backend.Action{}, nil, err
	}
	dir, err := b.snapDir(src.CTID, snap)
	if err != nil {
		dir = "<snapshot " + snap + ">" // check mode: the snapshot is only planned
	}
	argv := []string{"lxc-copy", "-P", b.snapsDir(src.CTID), "-n", dir, "-N", strconv.Itoa(ctid), "-p", b.LXCPath}
	pred := *src
	pred.CTID, pred.Running, pred.InitPID, pred.RunningMap, pred.Pending, pred.Snapshots = ctid, false, 0, nil, nil, nil
	pred.GivenMapFrom = b.confPath(ctid)
	pred.Records = map[string]string{}
	for k, v := range src.Records {
		pred.Records[k] = v
	}
	return backend.Action{Step: "define", Name: "clone", Argv: argv,
		Why: fmt.Sprintf("CT %d does not exist; clone it from snapshot %q of CT %d", ctid, snap, src.CTID),
		Do: func(ctx context.Context) error {
			d, err := b.snapDir(src.CTID, snap)
			if err != nil {
				return err
			}
			argv[4] = d
			// lxc-copy leaves no mark of its own: a marker beside the
			// container says a copy is in progress, so a killed copy is seen
			// as absent and its leftover removed by the next run.
			mark := b.cloningMark(ctid)
			if _, err := os.Stat(mark); err == nil {
				if err := os.RemoveAll(b.dir(ctid)); err != nil {
					return fmt.Errorf("remove the leftover of a killed lxc-copy: %w", err)
				}
			}
			if err := writeAtomic(mark, []byte(strconv.Itoa(src.CTID)+"\n"), 0o600); err != nil {
				return err
			}
			if _, err := b.r.Run(ctx, runner.Cmd{Argv: argv}); err != nil {
				return err
			}
			if err := copyFileIfExists(filepath.Join(b.snapsDir(src.CTID), d, "phoenix_lxc.records"), b.records(ctid)); err != nil {
				return err
			}
			return os.Remove(mark)
		}}, &pred, nil
}

// cloningMark is the file that says lxc-copy of ctid has not finished.
func (b *Backend) cloningMark(ctid int) string {
	return filepath.Join(b.LXCPath, "."+strconv.Itoa(ctid)+".cloning")
}
