package main

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
)

// cmdSet is `pct set`: validate, lock, then apply to the main section
// (stopped CT) or to main and [pve:pending] by the hot-plug rules (§2.7).
func cmdSet(e *env, p *params) error {
	id := p.pos["vmid"]
	vals := map[string]string{}
	var order []string
	for _, k := range p.set {
		if k == "delete" || k == "revert" || k == "digest" {
			continue
		}
		v, err := checkValue(k, p.get(k))
		if err != nil {
			return err
		}
		vals[k] = v
		order = append(order, k)
	}
	dels, reverts := splitList(p.get("delete")), splitList(p.get("revert"))
	if len(order) == 0 && len(dels) == 0 && len(reverts) == 0 {
		return fmt.Errorf("no options specified")
	}
	unlock, c, err := e.lockLoad(id)
	if err != nil {
		return err
	}
	defer unlock()
	if l, ok := c.Main.Get("lock"); ok {
		return fmt.Errorf("CT is locked (%s)", l)
	}
	if p.has("digest") {
		raw, _ := os.ReadFile(e.confPath(id))
		sum := sha1.Sum(raw)
		if hex.EncodeToString(sum[:]) != p.get("digest") {
			return fmt.Errorf("detected modified configuration - file changed by other user? Try again.")
		}
	}
	for _, k := range dels {
		if _, ok := vals[k]; ok {
			return paramErr("delete", "you can't use '-%s' and -delete %s' at the same time", k, k)
		}
		if !ctKey(k) {
			return paramErr("delete", "unknown option '%s'", k)
		}
		for _, r := range reverts {
			if r == k {
				return paramErr("delete", "you can't use '-delete %s' and '-revert %s' at the same time", k, k)
			}
		}
	}
	for _, k := range reverts {
		if !ctKey(k) {
			return paramErr("revert", "unknown option '%s'", k)
		}
	}
	running := e.running(id)
	protected := getOr(&c.Main, "protection", "0") == "1"
	for _, k := range reverts {
		revert(c, k)
	}
	for _, k := range dels {
		switch {
		case requiredKeys[k]:
			return fmt.Errorf("unable to delete required option '%s'", k)
		case k == "unprivileged":
			return fmt.Errorf("unable to delete read-only option: '%s'", k)
		case protected && (strings.HasPrefix(k, "mp") || strings.HasPrefix(k, "unused")):
			return fmt.Errorf("can't remove CT %s drive '%s' - protection mode enabled", id, k)
		}
		cur, isSet := c.Main.Get(k)
		if k == "description" {
			isSet = c.Main.Description != ""
		}
		if !isSet {
			fmt.Fprintf(e.stderr, "cannot delete '%s' - not set in current configuration!\n", k)
			continue
		}
		if running && !(fastPlug[k] || k == "cpulimit" || k == "cpuunits" || strings.HasPrefix(k, "net")) {
			addPendingDelete(c, k)
			continue
		}
		if k == "description" {
			c.Main.Description = ""
		} else {
			c.Main.Delete(k)
		}
		dropPending(c, k)
		if strings.HasPrefix(k, "mp") && mpType(cur) == "volume" {
			addUnused(c, cur)
		}
	}
	for _, k := range order {
		v := vals[k]
		if k == "unprivileged" {
			return fmt.Errorf("unable to modify read-only option: '%s'", k)
		}
		if protected && (k == "rootfs" || strings.HasPrefix(k, "mp")) {
			return fmt.Errorf("can't update CT %s drive '%s' - protection mode enabled", id, k)
		}
		old, had := c.Main.Get(k)
		switch {
		case strings.HasPrefix(k, "mp"):
			if v, err = e.applyMP(c, id, k, v); err != nil {
				return err
			}
		case strings.HasPrefix(k, "net"):
			if v, err = canonNet(k, v, old); err != nil {
				return err
			}
		}
		live := !running || fastPlug[k] || hotPlug[k] || strings.HasPrefix(k, "net") ||
			(!had && (strings.HasPrefix(k, "mp") || strings.HasPrefix(k, "dev")))
		if !live {
			setPending(c, k, v)
			continue
		}
		if running && strings.HasPrefix(k, "mp") && mpType(v) == "bind" {
			vol, _ := mpVolume(v)
			if st, err := os.Stat(vol); err != nil || !st.IsDir() {
				return paramErr(k, "unable to hotplug %s: directory '%s' does not exist", k, vol)
			}
		}
		if k == "description" {
			c.Main.Description = v
		} else {
			c.Main.Set(k, v)
		}
		dropPending(c, k)
		if had && strings.HasPrefix(k, "mp") && old != v && mpType(old) == "volume" {
			if ov, _ := mpVolume(old); ov != mustVolume(v) {
				addUnused(c, old)
			}
		}
	}
	if err := e.save(id, c); err != nil {
		return err
	}
	return e.writeLXCConfig(id, c)
}

func mustVolume(v string) string { vol, _ := mpVolume(v); return vol }

var listSep = regexp.MustCompile(`[,;\s]+`)

// splitList splits a PVE -list value.
func splitList(s string) []string {
	var out []string
	for _, f := range listSep.Split(s, -1) {
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// setPending queues a value in [pve:pending] and cancels a queued delete.
func setPending(c *conf.Config, k, v string) {
	if c.Pending == nil {
		c.Pending = &conf.Section{Name: "pve:pending"}
	}
	if k == "description" {
		c.Pending.Description = v
	} else {
		c.Pending.Set(k, v)
	}
	removeDelete(c, k)
}

// addPendingDelete queues a delete and drops a queued value of the key.
func addPendingDelete(c *conf.Config, k string) {
	if c.Pending == nil {
		c.Pending = &conf.Section{Name: "pve:pending"}
	}
	c.Pending.Delete(k)
	d := pendingDeletes(c)
	for _, x := range d {
		if x == k {
			return
		}
	}
	c.Pending.Set("delete", strings.Join(append(d, k), ","))
}

// dropPending forgets any pending value or delete of k.
func dropPending(c *conf.Config, k string) {
	if c.Pending == nil {
		return
	}
	if k == "description" {
		c.Pending.Description = ""
	}
	c.Pending.Delete(k)
	removeDelete(c, k)
}

func revert(c *conf.Config, k string) { dropPending(c, k) }

func removeDelete(c *conf.Config, k string) {
	if c.Pending == nil {
		return
	}
	var keep []string
	for _, x := range pendingDeletes(c) {
		if x != k {
			keep = append(keep, x)
		}
	}
	if len(keep) == 0 {
		c.Pending.Delete("delete")
	} else {
		c.Pending.Set("delete", strings.Join(keep, ","))
	}
	if len(c.Pending.Entries) == 0 && len(c.Pending.Raw) == 0 && c.Pending.Description == "" {
		c.Pending = nil
	}
}

// pendingDeletes lists the keys of the pending delete line.
func pendingDeletes(c *conf.Config) []string {
	if c.Pending == nil {
		return nil
	}
	v, _ := c.Pending.Get("delete")
	var out []string
	for _, k := range splitList(v) {
		out = append(out, strings.TrimPrefix(k, "!"))
	}
	return out
}

// applyPending moves every pending change into the main section.
func applyPending(c *conf.Config) {
	if c.Pending == nil {
		return
	}
	for _, k := range pendingDeletes(c) {
		if k == "description" {
			c.Main.Description = ""
		}
		c.Main.Delete(k)
	}
	for _, en := range c.Pending.Entries {
		if en.Key != "delete" {
			c.Main.Set(en.Key, en.Value)
		}
	}
	if c.Pending.Description != "" {
		c.Main.Description = c.Pending.Description
	}
	c.Pending = nil
}

// addUnused records a detached storage volume as the next unusedN.
func addUnused(c *conf.Config, mpValue string) {
	vol, err := mpVolume(mpValue)
	if err != nil {
		return
	}
	for i := 0; i < 256; i++ {
		k := fmt.Sprintf("unused%d", i)
		if _, ok := c.Main.Get(k); !ok {
			c.Main.Set(k, vol)
			return
		}
	}
}
