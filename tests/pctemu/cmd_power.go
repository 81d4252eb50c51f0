package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
)

// cmdStart is `pct start`: pending changes applied, the LXC config
// regenerated, then the CT marked running.
func cmdStart(e *env, p *params) error {
	id := p.pos["vmid"]
	if e.running(id) {
		return fmt.Errorf("CT %s already running", id)
	}
	unlock, c, err := e.lockLoad(id)
	if err != nil {
		return &workerError{err.Error()}
	}
	defer unlock()
	return e.startLocked(id, c, p.flag("skiplock"))
}

func (e *env) startLocked(id string, c *conf.Config, skiplock bool) error {
	if getOr(&c.Main, "template", "0") == "1" {
		return workerErr("you can't start a CT if it's a template")
	}
	if l, ok := c.Main.Get("lock"); ok && l != "mounted" && !skiplock {
		return workerErr("CT is locked (%s)", l)
	}
	if c.Pending != nil {
		applyPending(c)
		if err := e.save(id, c); err != nil {
			return &workerError{err.Error()}
		}
	}
	if err := e.writeLXCConfig(id, c); err != nil {
		return &workerError{err.Error()}
	}
	for _, w := range idmapConflicts(c.Main.RawValues("lxc.idmap")) {
		fmt.Fprintln(e.stdout, w)
	}
	for _, en := range c.Main.Entries {
		if !strings.HasPrefix(en.Key, "mp") || mpType(en.Value) != "bind" {
			continue
		}
		vol, _ := mpVolume(en.Value)
		if st, err := os.Stat(vol); err != nil || !st.IsDir() {
			fmt.Fprintf(e.stdout, "directory '%s' does not exist\n", vol)
			return workerErr("startup for container '%s' failed", id)
		}
	}
	if err := e.setRunning(id, true); err != nil {
		return &workerError{err.Error()}
	}
	return nil
}

// cmdStop, cmdShutdown and cmdReboot stop a running CT; the post-stop hook
// applies pending changes.
func cmdStop(e *env, p *params) error { return e.stop(p.pos["vmid"], "stop", p.flag("skiplock")) }

func cmdShutdown(e *env, p *params) error { return e.stop(p.pos["vmid"], "shutdown", false) }

func cmdReboot(e *env, p *params) error { return e.stop(p.pos["vmid"], "reboot", false) }

func (e *env) stop(id, how string, skiplock bool) error {
	if !e.running(id) {
		if how == "reboot" {
			return fmt.Errorf("VM %s not running", id)
		}
		return fmt.Errorf("CT %s not running", id)
	}
	unlock, c, err := e.lockLoad(id)
	if err != nil {
		return &workerError{err.Error()}
	}
	defer unlock()
	if l, ok := c.Main.Get("lock"); ok && !skiplock && (l != "mounted" || how != "stop") {
		return workerErr("CT is locked (%s)", l)
	}
	if err := e.setRunning(id, false); err != nil {
		return &workerError{err.Error()}
	}
	// The post-stop hook (lxc-pve-poststop-hook) applies pending changes,
	// writes the conf back and regenerates the LXC config after EVERY stop:
	// its `if ($conf->{pending})` is always true, parse_pct_config always
	// sets pending => {} (pct-spec.md §4.3, corrected 2026-12-01).
	if c.Pending != nil {
		applyPending(c)
	}
	if err := e.save(id, c); err != nil {
		return &workerError{err.Error()}
	}
	// The hook's update_lxc_config failing (a bridge gone) fails the hook,
	// not the stop: the CT is down and the old LXC config stays.
	_ = e.writeLXCConfig(id, c)
	if how == "reboot" {
		return e.startLocked(id, c, false)
	}
	return nil
}

// cmdDestroy removes a CT: config, generated config, rootfs, firewall file.
func cmdDestroy(e *env, p *params) error {
	id := p.pos["vmid"]
	unlock, c, err := e.lockLoad(id)
	if err != nil {
		return err
	}
	defer unlock()
	if getOr(&c.Main, "protection", "0") == "1" {
		return fmt.Errorf("can't remove CT %s - protection mode enabled", id)
	}
	if l, ok := c.Main.Get("lock"); ok {
		return fmt.Errorf("CT is locked (%s)", l)
	}
	if e.running(id) {
		if !p.flag("force") {
			return fmt.Errorf("unable to destroy CT %s - container is running", id)
		}
		fmt.Fprintf(e.stdout, "forced to stop CT %s before destroying!\n", id)
		if err := e.setRunning(id, false); err != nil {
			return &workerError{err.Error()}
		}
	}
	c.Main.Set("lock", "destroyed")
	if err := e.save(id, c); err != nil {
		return &workerError{err.Error()}
	}
	os.RemoveAll(e.lxcDir(id))
	os.Remove(e.path("etc/pve/firewall/" + id + ".fw"))
	if err := os.Remove(e.confPath(id)); err != nil {
		return workerErr("unable to remove config of CT %s: %v", id, err)
	}
	if err := e.writeVMList(); err != nil {
		return &workerError{err.Error()}
	}
	return nil
}
