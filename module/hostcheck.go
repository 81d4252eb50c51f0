package module

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/pct"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/hostpath"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/storage"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// volumeHost is what this host adds to the shared-volume rules, read once
// here: the folders and files root trusts on this run, the LXC path, the
// paths of the node's storages, the mount points the host expects
// (storages, /etc/fstab) and those mounted.
func volumeHost(o *schema.Options, p *Job, host Host) (hostpath.Host, error) {
	h := hostpath.Host{Roots: o.SharedVolumeRoots}
	r := p.Request
	lxcPath := host.LXCPath
	for _, f := range []string{r.FeatureScriptDir, r.ApplicationScriptDir, r.LockDir, o.ConfigFile, o.HypervisorConfigFile, lxcPath} {
		if f == "" {
			continue
		}
		abs, err := filepath.Abs(f)
		if err != nil {
			return h, err
		}
		h.Trusted = append(h.Trusted, abs)
	}
	paths := pct.Paths{Root: host.PveRoot}
	data, err := os.ReadFile(paths.StorageCfg())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return h, fmt.Errorf("read %s: %w", paths.StorageCfg(), err)
	}
	for _, s := range storage.Parse(string(data)) {
		h.Storages = append(h.Storages, s.Paths()...)
		if mp := s.MountPoint(); filepath.IsAbs(mp) {
			h.Expected = append(h.Expected, hostpath.Mount{Path: mp, What: fmt.Sprintf("Proxmox storage '%s' (%s)", s.ID, s.Type)})
		}
	}
	fstab := host.Fstab
	data, err = os.ReadFile(fstab)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return h, fmt.Errorf("read %s: %w", fstab, err)
	}
	h.Expected = append(h.Expected, hostpath.ParseFstab(string(data))...)
	data, err = os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return h, fmt.Errorf("read /proc/self/mountinfo: %w", err)
	}
	h.Mounted = hostpath.ParseMountinfo(string(data))
	return h, nil
}

// checkVolumes applies the host's and the filesystem's rules to the shared
// volumes of the targets, before anything is opened or changed (check
// mode too). Every problem comes back at once, with its field path.
func checkVolumes(p *Job, h hostpath.Host, lstat hostpath.Lstat) error {
	var ps schema.Problems
	for _, id := range p.Request.Targets {
		for _, v := range p.Request.Fleet[id].SharedVolumes {
			err := h.Check(v.HostPath)
			if err == nil {
				err = hostpath.CheckOnDisk(v.HostPath, lstat)
			}
			if err != nil {
				ps = append(ps, schema.Problem{Path: v.Where + ".host_path", Rule: err.Error()})
			}
		}
	}
	for _, r := range h.Roots {
		if !filepath.IsAbs(r) || filepath.Clean(r) != r {
			ps = append(ps, schema.Problem{Path: "shared_volume_roots", Rule: fmt.Sprintf("%q is not an absolute, clean folder", r)})
		}
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Path < ps[j].Path })
	if len(ps) > 0 {
		return ps
	}
	return nil
}
