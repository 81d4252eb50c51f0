package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/storage"
)

// cmdCreate is `pct create <vmid> <ostemplate>`: a new config with pct's
// defaults and an (empty) rootfs folder; no generated LXC config.
func cmdCreate(e *env, p *params) error {
	id := p.pos["vmid"]
	vals := map[string]string{}
	for _, k := range p.set {
		if ctKey(k) {
			v, err := checkValue(k, p.get(k))
			if err != nil {
				return err
			}
			vals[k] = v
		}
	}
	if p.has("password") && len(p.get("password")) < 5 {
		return paramErr("password", "value must be at least 5 characters long")
	}
	var keys []byte
	if p.has("ssh-public-keys") {
		b, err := os.ReadFile(p.get("ssh-public-keys"))
		if err != nil {
			return fmt.Errorf("unable to open file '%s' - %v", p.get("ssh-public-keys"), unwrapPathErr(err))
		}
		keys = b
	}
	unlock, err := e.lock(id)
	if err != nil {
		return err
	}
	defer unlock()
	if e.exists(id) {
		return fmt.Errorf("CT %s already exists on node '%s'", id, e.node)
	}
	if err := e.checkVMIDUnused(id); err != nil {
		return err
	}
	hasMP := false
	for k := range vals {
		if strings.HasPrefix(k, "mp") {
			hasMP = true
		}
		if strings.HasPrefix(k, "unused") {
			fmt.Fprintf(e.stderr, "ignoring '%s', cannot create/restore with unused volume\n", k)
			delete(vals, k)
		}
	}
	if hasMP && vals["rootfs"] == "" {
		return fmt.Errorf("mount points configured, but 'rootfs' not set - aborting")
	}
	archive, err := e.templatePath(p.pos["ostemplate"])
	if err != nil {
		return err
	}
	storage := p.get("storage")
	if storage == "" {
		storage = "local"
	}
	if vals["rootfs"] == "" {
		vals["rootfs"] = storage + ":4"
	} else if regexp.MustCompile(`^\d+(\.\d+)?(,|$)`).MatchString(vals["rootfs"]) {
		vals["rootfs"] = storage + ":" + vals["rootfs"]
	}
	if store, _, ok := strings.Cut(vals["rootfs"], ":"); ok {
		if err := e.checkRootdirStorage(store); err != nil {
			return err
		}
	}
	c := &conf.Config{}
	if vals["unprivileged"] == "" {
		vals["unprivileged"] = "1"
	}
	fmt.Fprintf(e.stdout, "extracting archive '%s'\n", archive)
	if _, ok := vals["arch"]; !ok {
		vals["arch"] = "amd64"
		fmt.Fprintf(e.stdout, "Detected container architecture: amd64\n")
	}
	defaults := map[string]string{"hostname": "CT" + id, "memory": "512", "swap": "512", "ostype": ostypeOf(p.pos["ostemplate"])}
	for k, v := range defaults {
		if _, ok := vals[k]; !ok {
			vals[k] = v
		}
	}
	order := append([]string{"rootfs"}, sortedKeys(vals)...)
	for i, k := range order {
		if i > 0 && k == "rootfs" {
			continue
		}
		v := vals[k]
		var err error
		switch {
		case k == "rootfs" || strings.HasPrefix(k, "mp"):
			v, err = e.applyMP(c, id, k, v)
		case strings.HasPrefix(k, "net"):
			v, err = canonNet(k, v, "")
		}
		if err != nil {
			return workerErr("unable to create CT %s - %v", id, err)
		}
		if k == "description" {
			c.Main.Description = v
		} else {
			c.Main.Set(k, v)
		}
	}
	unprivileged := vals["unprivileged"] == "1"
	if !unprivileged {
		// A privileged CT's conf has no unprivileged key: create_vm
		// (pve-container API2/LXC.pm) takes the parameter out and sets only
		// `$conf->{unprivileged} = 1 if $unprivileged`.
		c.Main.Delete("unprivileged")
	}
	if err := e.makeRootfs(id, unprivileged, p.get("password"), keys); err != nil {
		return workerErr("unable to create CT %s - %v", id, err)
	}
	if err := e.save(id, c); err != nil {
		return workerErr("unable to create CT %s - %v", id, err)
	}
	if err := e.writeVMList(); err != nil {
		return workerErr("unable to create CT %s - %v", id, err)
	}
	if p.flag("start") {
		return e.startLocked(id, c, false)
	}
	return nil
}

// ostypeOf is the distribution pct would detect in the template's rootfs,
// guessed here from its file name (ubuntu-24.04-standard_..., alpine-...);
// debian when the name says nothing.
func ostypeOf(template string) string {
	base := strings.ToLower(filepath.Base(template))
	for _, o := range []string{"debian", "devuan", "ubuntu", "centos", "fedora", "opensuse", "archlinux", "alpine", "gentoo", "nixos"} {
		if strings.HasPrefix(base, o) {
			return o
		}
	}
	return "debian"
}

// templatePath resolves an ostemplate (absolute path or storage volid)
// inside the state folder.
func (e *env) templatePath(t string) (string, error) {
	var path string
	switch {
	case strings.HasPrefix(t, "/"):
		path = e.path(t)
	case strings.Contains(t, ":vztmpl/"):
		path = e.path("var/lib/vz/template/cache/" + t[strings.Index(t, ":vztmpl/")+len(":vztmpl/"):])
	default:
		return "", paramErr("ostemplate", "unable to parse volume ID '%s'", t)
	}
	if st, err := os.Stat(path); err != nil || st.IsDir() {
		return "", fmt.Errorf("can't find file '%s'", t)
	}
	return t, nil
}

// makeRootfs creates the CT's file tree with root's shadow entry (its
// password hash, or "*") and keys, owned by the CT's root (host 100000
// when unprivileged: the template is extracted through the default map),
// / and /tmp as a Debian template has them (0755, 1777), /root 0700.
func (e *env) makeRootfs(id string, unpriv bool, password string, keys []byte) error {
	r := e.rootfs(id)
	owner := 0
	if unpriv {
		owner = 100000
	}
	for _, d := range []struct {
		path string
		mode os.FileMode
	}{{"", 0o755}, {"etc", 0o755}, {"root", 0o700}, {"tmp", 0o777 | os.ModeSticky}, {"usr", 0o755},
		{"usr/local", 0o755}, {"usr/local/bin", 0o755}} {
		p := filepath.Join(r, d.path)
		if err := os.MkdirAll(p, 0o755); err != nil {
			return err
		}
		if err := os.Chmod(p, d.mode); err != nil {
			return err
		}
		if err := os.Lchown(p, owner, owner); err != nil {
			return err
		}
	}
	if err := setShadowField(r, "root", "*"); err != nil { // a template's root: no password yet
		return err
	}
	if password != "" {
		if err := setShadow(r, "root", password); err != nil {
			return err
		}
	}
	if len(keys) > 0 {
		if err := os.MkdirAll(filepath.Join(r, "root/.ssh"), 0o700); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(r, "root/.ssh/authorized_keys"), keys, 0o600)
	}
	return nil
}

// unwrapPathErr drops the path from an error and capitalises it like
// Perl's $! ("No such file or directory").
func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		err = pe.Err
	}
	s := err.Error()
	if s != "" {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return errors.New(s)
}

// diskRe matches the volume names pct allocates for a CT.
var diskRe = regexp.MustCompile(`^([^:]+):(?:[^/]*/)?(?:vm|base|subvol|basevol)-(\d+)-disk-(\d+)(?:\.raw|\.subvol|\.qcow2)?$`)

// nextDisk picks the next free vm-<id>-disk-<n> on a storage.
func (e *env) nextDisk(c *conf.Config, id, store string) string {
	used := map[string]bool{}
	for _, en := range c.Main.Entries {
		if en.Key == "rootfs" || strings.HasPrefix(en.Key, "mp") || strings.HasPrefix(en.Key, "unused") {
			if vol, err := mpVolume(en.Value); err == nil {
				if m := diskRe.FindStringSubmatch(vol); m != nil && m[2] == id {
					used[m[3]] = true
				}
			}
		}
	}
	data, _ := os.ReadFile(e.path("etc/pve/storage.cfg"))
	typ := storage.Types(string(data))[store]
	ctid, _ := strconv.Atoi(id)
	for n := 0; ; n++ {
		if !used[fmt.Sprint(n)] {
			return store + ":" + storage.VolumeName(typ, ctid, n)
		}
	}
}
