#!/bin/bash
# Installs what `make bench` needs, when run as root: the lxc tools and a
# busybox template for real containers, Debian's ansible package (for
# community.general.lxc_container and ansible.posix's json callback),
# python3-lxc, and strace (to count chown/chmod calls). Not root: prints
# what is missing; the bench then reports those rows as skipped.
set -euo pipefail
packages=(lxc busybox-static uidmap rsync ansible python3-lxc strace)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "$(id -u)" != 0 ]; then
  [ ${#missing[@]} -eq 0 ] || echo "bench: not root, not installing: ${missing[*]} (their rows are skipped)" >&2
  exit 0
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Real unprivileged containers need root granted the default id range.
for f in /etc/subuid /etc/subgid; do
  touch "$f"
  grep -qx 'root:100000:65536' "$f" || echo 'root:100000:65536' >> "$f"
done
