// Package conf reads and writes Proxmox VE container configs
// (/etc/pve/lxc/<CTID>.conf) the way pct does.
//
// Parse is as lenient as pct's own loader: it never fails, keeps unknown
// keys with their raw values, and returns warnings in pct's words. Bytes
// writes pct's canonical form: the description as percent-encoded '#'
// lines, normal keys sorted, lxc.environment.runtime lines, raw lxc.*
// keys in stored order, then [pve:pending] and the snapshot sections
// sorted by name. Fmt is Parse followed by Bytes, so Fmt(x) is what pct
// would write back after loading x.
//
// The property strings rootfs, mpN, netN, features and devN have typed
// forms (MountPoint, Net, Features, Dev) that parse and print in pct's
// canonical order. Check reports what pct would warn about or refuse,
// with line numbers, and Main implements the `conf fmt` and `conf check`
// commands.
//
// Line endings: like pct, only "\n" ends a line. A "\r" before it is
// whitespace for keys, values and section headers, but inside a '#'
// comment line it is part of the text and is written back as %0D, which
// is what pct does too; Check warns about such lines.
//
// Keys pct uses internally (digest, pending, snapshots, snapname, lxc)
// are never written back, and snapstate is dropped from the main section,
// as pct does.
package conf
