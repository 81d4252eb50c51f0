// Package lxc is the backend that drives plain LXC (Debian's lxc-* tools)
// instead of Proxmox's pct. Every command is an argv through a
// runner.Runner and always carries -P <lxcpath>, so a test's containers
// never mix with the host's own. Containers are named by CTID.
//
// What a container is made of, all under <lxcpath>/<CTID>/:
//
//	config                 the LXC config: the source of truth Observe reads
//	rootfs/                the root filesystem, owned through the id map
//	snaps/snapN/           lxc-snapshot's copies; snaps/snapN/comment holds the name phoenix_lxc gave it
//	phoenix_lxc.records    JSON of what ran (feature and script hashes), written atomically
//	phoenix_lxc.pending    config keys a running container takes on its next start
//
// How the spec maps to LXC:
//
//	name                         lxc.uts.name
//	unprivileged, idmap          lxc.idmap lines (custom, else u/g 0 100000 65536, none when privileged);
//	                             fixed at creation: a different map later is refused
//	memory_mb, swap_mb, cores    cgroup v1: lxc.cgroup.memory.limit_in_bytes, memory.memsw.limit_in_bytes
//	                             (memory+swap, only where the controller accounts swap),
//	                             cpu.cfs_quota_us = cores*100000 with cpu.cfs_period_us = 100000;
//	                             cgroup v2: lxc.cgroup2.memory.max, memory.swap.max, cpu.max;
//	                             a hybrid host gets per controller whichever hierarchy holds it
//	networks (or network_config  lxc.net.N.type = veth (first: LXC starts an interface at its type
//	with mac_address as net0)    line), link, flags = up, name, hwaddr, ipv4.address, ipv4.gateway,
//	                             ipv6.address, ipv6.gateway, mtu, veth.vlan.id (tag); the bridge must
//	                             exist; the lxc.net family is owned, so a dropped interface goes;
//	                             rate and firewall have no LXC meaning (Warnings names them)
//	no interface                 lxc.net.0.type = empty
//	start_at_boot, boot_order,   lxc.start.auto, lxc.start.order, lxc.start.delay
//	boot_delay
//	shared_volumes               lxc.mount.entry = <host> <path> none bind,create=dir[,ro] 0 0;
//	                             an entry of that form no volume names any more is removed
//	template lxc:<name>          lxc-create -t <name> with a config holding the map and the network
//	template *.tar[.gz|.xz|.zst] extracted by tar inside lxc-usernsexec with the container's map,
//	                             staged in .<CTID>.partial and renamed into place
//	template_snapshot_name       lxc-snapshot (a running container is stopped and started around it)
//	clone_from_ctid              lxc-copy of the source's snapshot directory; records carried over
//
// pct_options: nesting=1 adds lxc.include of LXC's nesting.conf (nesting=0
// or no flag removes it). Other Proxmox feature flags (keyctl, fuse, mknod,
// mount=, force_rw_sys) have no LXC equivalent here: they are ignored, and
// Backend.Warnings names them, as it does gpu_assignment, storage_pool,
// storage_size_gb and firewall. A flag not in key=value form is an error.
//
// Configure and Mounts plan one atomic rewrite of the config that replaces
// only the keys above and keeps every other line. Exec and Push go through
// lxc-attach --clear-env with content on stdin: nothing is written into a
// rootfs through a host path. Observe costs one lxc-info per existing
// container and file reads; nothing changes outside Action.Do.
//
// lxc-snapshot and lxc-copy of a directory rootfs need rsync on the host.
package lxc
