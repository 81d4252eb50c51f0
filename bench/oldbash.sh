#!/bin/bash
# The old bash orchestrator's pct calls, for the benchmark: per container
# one `pct status` and one `pct config`; with "apply", one `pct set` per
# option (what it did on every run). Input: a TSV file of
# ctid, memory, cores, hostname, net0. pct is $PCT (default pct).
set -euo pipefail
list=$1
mode=${2:-check}
pct=${PCT:-pct}
while IFS=$'\t' read -r ctid memory cores hostname net0; do
  "$pct" status "$ctid" >/dev/null
  "$pct" config "$ctid" >/dev/null
  if [ "$mode" = apply ]; then
    "$pct" set "$ctid" --memory "$memory"
    "$pct" set "$ctid" --cores "$cores"
    "$pct" set "$ctid" --hostname "$hostname"
    "$pct" set "$ctid" --net0 "$net0"
  fi
done < "$list"
