package main

// commands is pct's subcommand table: positional arguments, options,
// exit-code group, and whether the command counts as state-changing for
// PCTEMU_FAIL_AT.
var commands = map[string]*command{}

// ctOpts accepts every container key plus the command's extra options.
func ctOpts(extra map[string]optKind) func(string) (optKind, bool) {
	fixed := optsOf(extra)
	for k := range ctKeys {
		addKnown(k)
	}
	return func(n string) (optKind, bool) {
		if k, ok := fixed(n); ok {
			return k, true
		}
		return ctOptKind(n)
	}
}

func none() func(string) (optKind, bool) { return optsOf(nil) }

func add(c *command) { commands[c.name] = c }

func init() {
	b, s, l := optBool, optString, optList
	add(&command{name: "list", opts: none(), run: cmdList})
	add(&command{name: "status", args: []string{"vmid"}, opts: optsOf(map[string]optKind{"verbose": b}), run: cmdStatus})
	add(&command{name: "config", args: []string{"vmid"}, run: cmdConfig,
		opts: optsOf(map[string]optKind{"current": b, "snapshot": s})})
	add(&command{name: "pending", args: []string{"vmid"}, opts: none(), run: cmdPending})
	add(&command{name: "listsnapshot", args: []string{"vmid"}, opts: none(), run: cmdListSnapshot})
	add(&command{name: "set", args: []string{"vmid"}, changes: true, run: cmdSet,
		opts: ctOpts(map[string]optKind{"delete": l, "revert": l, "digest": s})})
	add(&command{name: "create", args: []string{"vmid", "ostemplate"}, group: task, changes: true, run: cmdCreate,
		opts: ctOpts(map[string]optKind{"storage": s, "password": s, "ssh-public-keys": s, "start": b,
			"pool": s, "ha-managed": b, "ignore-unpack-errors": b, "bwlimit": s, "restore": b, "force": b, "unique": b})})
	add(&command{name: "clone", args: []string{"vmid", "newid"}, group: task, changes: true, run: cmdClone,
		opts: optsOf(map[string]optKind{"hostname": s, "description": s, "pool": s, "snapname": s,
			"storage": s, "full": b, "target": s, "bwlimit": s})})
	add(&command{name: "start", args: []string{"vmid"}, group: task, changes: true, run: cmdStart,
		opts: optsOf(map[string]optKind{"skiplock": b, "debug": b})})
	add(&command{name: "stop", args: []string{"vmid"}, group: task, changes: true, run: cmdStop,
		opts: optsOf(map[string]optKind{"skiplock": b, "overrule-shutdown": b})})
	add(&command{name: "shutdown", args: []string{"vmid"}, group: task, changes: true, run: cmdShutdown,
		opts: optsOf(map[string]optKind{"timeout": s, "forceStop": b})})
	add(&command{name: "reboot", args: []string{"vmid"}, group: task, changes: true, run: cmdReboot,
		opts: optsOf(map[string]optKind{"timeout": s})})
	add(&command{name: "destroy", args: []string{"vmid"}, group: task, changes: true, run: cmdDestroy,
		opts: optsOf(map[string]optKind{"force": b, "purge": b, "destroy-unreferenced-disks": b})})
	add(&command{name: "snapshot", args: []string{"vmid", "snapname"}, group: task, changes: true, run: cmdSnapshot,
		opts: optsOf(map[string]optKind{"description": s})})
	add(&command{name: "delsnapshot", args: []string{"vmid", "snapname"}, group: task, changes: true, run: cmdDelSnapshot,
		opts: optsOf(map[string]optKind{"force": b})})
	add(&command{name: "rollback", args: []string{"vmid", "snapname"}, group: task, changes: true, run: cmdRollback,
		opts: optsOf(map[string]optKind{"start": b})})
	add(&command{name: "template", args: []string{"vmid"}, group: nomap, changes: true, opts: none(), run: cmdTemplate})
	add(&command{name: "resize", args: []string{"vmid", "disk", "size"}, group: nomap, changes: true, run: cmdResize,
		opts: optsOf(map[string]optKind{"digest": s})})
	add(&command{name: "unlock", args: []string{"vmid"}, changes: true, opts: none(), run: cmdUnlock})
	add(&command{name: "mount", args: []string{"vmid"}, changes: true, opts: none(), run: cmdMount})
	add(&command{name: "unmount", args: []string{"vmid"}, changes: true, opts: none(), run: cmdUnmount})
	add(&command{name: "exec", args: []string{"vmid"}, rest: "extra-args", changes: true, run: cmdExec,
		opts: optsOf(map[string]optKind{"keep-env": b})})
	fileOpts := map[string]optKind{"perms": s, "user": s, "group": s}
	add(&command{name: "push", args: []string{"vmid", "file", "destination"}, group: nomap, changes: true,
		opts: optsOf(fileOpts), run: cmdPush})
	add(&command{name: "pull", args: []string{"vmid", "path", "destination"}, group: nomap,
		opts: optsOf(fileOpts), run: cmdPull})
}
