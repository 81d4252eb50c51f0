package main

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/storage"
)

var configID = regexp.MustCompile(`^(?i)[a-z][a-z0-9_-]+$`)

// lockedLoad takes the flock, loads the config and fails on a lock: the
// common start of every snapshot and disk command.
func (e *env) lockedLoad(id string) (*conf.Config, func(), error) {
	unlock, err := e.lock(id)
	if err != nil {
		return nil, nil, err
	}
	c, err := e.load(id)
	if err != nil {
		unlock()
		return nil, nil, err
	}
	if l, ok := c.Main.Get("lock"); ok {
		unlock()
		return nil, nil, fmt.Errorf("CT is locked (%s)", l)
	}
	return c, unlock, nil
}

// nonVolumeMount returns the first bind or device mount point's volume.
func nonVolumeMount(s *conf.Section) (string, string, bool) {
	for _, en := range sortedEntries(s) {
		if strings.HasPrefix(en.Key, "mp") && indexedKey.MatchString(en.Key) || en.Key == "rootfs" {
			if mpType(en.Value) != "volume" {
				vol, _ := mpVolume(en.Value)
				return en.Key, vol, true
			}
		}
	}
	return "", "", false
}

// cmdSnapshot is `pct snapshot <vmid> <snapname>`.
func cmdSnapshot(e *env, p *params) error {
	id, name := p.pos["vmid"], p.pos["snapname"]
	if !configID.MatchString(name) || len(name) > 40 {
		return paramErr("snapname", "invalid format - invalid configuration ID '%s'", name)
	}
	if name == "current" || name == "vzdump" {
		return fmt.Errorf("unable to use snapshot name '%s' (reserved name)", name)
	}
	c, unlock, err := e.lockedLoad(id)
	if err != nil {
		return &workerError{err.Error()}
	}
	defer unlock()
	switch {
	case getOr(&c.Main, "template", "0") == "1":
		return workerErr("you can't take a snapshot if it's a template")
	case c.Snapshot(name) != nil:
		return workerErr("snapshot name '%s' already used", name)
	}
	if _, _, bad := nonVolumeMount(&c.Main); bad || !e.canSnapshot(&c.Main) {
		return workerErr("snapshot feature is not available")
	}
	s := &conf.Section{Name: name, Description: p.get("description")}
	for _, en := range c.Main.Entries {
		switch {
		case strings.HasPrefix(en.Key, "unused"), en.Key == "lock", en.Key == "snapstate", en.Key == "vmstate":
		default:
			s.Set(en.Key, en.Value)
		}
	}
	s.Raw = append([]conf.Entry(nil), c.Main.Raw...)
	s.Set("snaptime", strconv.FormatInt(time.Now().Unix(), 10))
	for _, o := range c.Snapshots {
		if par, _ := o.Get("parent"); par == name {
			fmt.Fprintf(e.stdout, "deleting parent '%s' reference from '%s' to avoid bogus snapshot cycle.\n", name, o.Name)
			o.Delete("parent")
		}
	}
	c.Snapshots = append(c.Snapshots, s)
	c.Main.Set("parent", name)
	if err := e.save(id, c); err != nil {
		return &workerError{err.Error()}
	}
	return nil
}

// cmdDelSnapshot removes a snapshot and re-parents its children.
func cmdDelSnapshot(e *env, p *params) error {
	id, name := p.pos["vmid"], p.pos["snapname"]
	c, unlock, err := e.lockedLoad(id)
	if err != nil {
		return &workerError{err.Error()}
	}
	defer unlock()
	s := c.Snapshot(name)
	if s == nil {
		return workerErr("snapshot '%s' does not exist", name)
	}
	if getOr(&c.Main, "template", "0") == "1" {
		return workerErr("you can't delete a snapshot if vm is a template")
	}
	par, hasPar := s.Get("parent")
	reparent := func(x *conf.Section) {
		if v, _ := x.Get("parent"); v == name {
			if hasPar {
				x.Set("parent", par)
			} else {
				x.Delete("parent")
			}
		}
	}
	reparent(&c.Main)
	var keep []*conf.Section
	for _, o := range c.Snapshots {
		if o.Name != name {
			reparent(o)
			keep = append(keep, o)
		}
	}
	c.Snapshots = keep
	if err := e.save(id, c); err != nil {
		return &workerError{err.Error()}
	}
	return nil
}

// cmdRollback replaces the main section with a snapshot's keys.
func cmdRollback(e *env, p *params) error {
	id, name := p.pos["vmid"], p.pos["snapname"]
	c, unlock, err := e.lockedLoad(id)
	if err != nil {
		return &workerError{err.Error()}
	}
	defer unlock()
	if getOr(&c.Main, "template", "0") == "1" {
		return workerErr("you can't rollback if vm is a template")
	}
	s := c.Snapshot(name)
	if s == nil {
		return workerErr("snapshot '%s' does not exist", name)
	}
	if st, ok := s.Get("snapstate"); ok {
		return workerErr("unable to rollback to incomplete snapshot (snapstate = %s)", st)
	}
	if e.running(id) {
		if err := e.setRunning(id, false); err != nil {
			return &workerError{err.Error()}
		}
	}
	m := conf.Section{Description: c.Main.Description}
	for _, en := range c.Main.Entries {
		if strings.HasPrefix(en.Key, "unused") {
			m.Set(en.Key, en.Value)
		}
	}
	for _, en := range s.Entries {
		if en.Key != "snaptime" {
			m.Set(en.Key, en.Value)
		}
	}
	m.Raw = append([]conf.Entry(nil), s.Raw...)
	m.Set("parent", name)
	c.Main, c.Pending = m, nil
	if err := e.save(id, c); err != nil {
		return &workerError{err.Error()}
	}
	if p.flag("start") {
		return e.startLocked(id, c, false)
	}
	return nil
}

// cmdTemplate converts a stopped CT without snapshots into a template.
func cmdTemplate(e *env, p *params) error {
	id := p.pos["vmid"]
	c, unlock, err := e.lockedLoad(id)
	if err != nil {
		return err
	}
	defer unlock()
	switch {
	case len(c.Snapshots) > 0:
		return fmt.Errorf("unable to create template, because CT contains snapshots")
	case getOr(&c.Main, "template", "0") == "1":
		return fmt.Errorf("you can't convert a template to a template")
	case e.running(id):
		return fmt.Errorf("you can't convert a CT to template if the CT is running")
	}
	if _, vol, bad := nonVolumeMount(&c.Main); bad {
		return workerErr("Template feature is not available for '%s'", vol)
	}
	for _, en := range sortedEntries(&c.Main) {
		if en.Key == "rootfs" || strings.HasPrefix(en.Key, "mp") && indexedKey.MatchString(en.Key) {
			vol, _ := mpVolume(en.Value)
			vol = baseVolume(vol)
			c.Main.Set(en.Key, withVolume(en.Key, en.Value, vol))
		}
	}
	c.Main.Set("template", "1")
	if err := e.save(id, c); err != nil {
		return &workerError{err.Error()}
	}
	os.Remove(e.lxcConfigPath(id))
	return nil
}

var sizeArg = regexp.MustCompile(`^(\+)?(\d+(?:\.\d+)?)([KMGT])?$`)

// cmdResize grows rootfs or an mpN (size= only; nothing to grow here).
func cmdResize(e *env, p *params) error {
	id, disk, size := p.pos["vmid"], p.pos["disk"], p.pos["size"]
	m := sizeArg.FindStringSubmatch(size)
	if m == nil {
		return paramErr("size", "value does not match the regex pattern")
	}
	if disk != "rootfs" && !(strings.HasPrefix(disk, "mp") && ctKey(disk)) {
		return paramErr("disk", "value '%s' does not have a value in the enumeration 'rootfs, mp0, ..., mp255'", disk)
	}
	c, unlock, err := e.lockedLoad(id)
	if err != nil {
		return err
	}
	defer unlock()
	cur, ok := c.Main.Get(disk)
	if !ok {
		return fmt.Errorf("unable to parse mount point '%s'", disk)
	}
	if mpType(cur) != "volume" {
		return fmt.Errorf("can't resize mount point of type '%s'", mpType(cur))
	}
	n, _ := conf.ParseSize(m[2] + m[3])
	old := diskSize(cur)
	if m[1] == "+" {
		n += old
	}
	if n < old {
		return fmt.Errorf("unable to shrink disk size")
	}
	if n == old {
		return fmt.Errorf("disk is already at specified size")
	}
	c.Main.Set(disk, withSize(disk, cur, n))
	if err := e.save(id, c); err != nil {
		return &workerError{err.Error()}
	}
	return nil
}

// canSnapshot reports whether every volume of the CT sits on a storage
// that can snapshot it (storage.cfg's types, pve-storage
// volume_has_feature); a storage the file does not name counts as able.
func (e *env) canSnapshot(m *conf.Section) bool {
	data, _ := os.ReadFile(e.path("etc/pve/storage.cfg"))
	types := storage.Types(string(data))
	for _, en := range m.Entries {
		if en.Key != "rootfs" && !(strings.HasPrefix(en.Key, "mp") && indexedKey.MatchString(en.Key)) {
			continue
		}
		if vol, err := mpVolume(en.Value); err == nil {
			store, _, _ := strings.Cut(vol, ":")
			if !storage.CanSnapshot(types[store]) {
				return false
			}
		}
	}
	return true
}

// baseVolume is the name create_base gives a volume (pve-storage): its
// file or dataset name vm-<id>-... becomes base-<id>-..., subvol-<id>-...
// becomes basevol-<id>-...; on a file storage the <id>/ folder stays
// (local:100/vm-100-disk-0.raw is local:100/base-100-disk-0.raw).
func baseVolume(vol string) string {
	cut := strings.LastIndexAny(vol, ":/") + 1
	name := vol[cut:]
	for from, to := range map[string]string{"vm-": "base-", "subvol-": "basevol-"} {
		if rest, ok := strings.CutPrefix(name, from); ok {
			return vol[:cut] + to + rest
		}
	}
	return vol
}
