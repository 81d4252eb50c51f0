#!/bin/sh
# A stand-in for the lxc-* tools, for fault injection (tests/e2e/lxcfault_test.go).
# Linked into a directory put first on PATH as lxc-create, lxc-start, ... it
# logs each call, then runs the real tool from $PHX_LXCFAULT_REAL, except for
# the state-changing call numbered $PHX_LXCFAULT_AT, which changes nothing
# and exits 1 the way an lxc tool fails. Read-only tools are not counted.
#   PHX_LXCFAULT_REAL   folder of the real tools (e.g. /usr/bin)
#   PHX_LXCFAULT_DIR    folder for the call log (calls.log) and counter (count)
#   PHX_LXCFAULT_AT     which state-changing call fails (unset or 0: none)
tool=$(basename "$0")
case "$tool" in
lxc-info|lxc-wait|lxc-ls|lxc-config|lxc-checkconfig) exec "$PHX_LXCFAULT_REAL/$tool" "$@" ;;
esac
n=$(( $(cat "$PHX_LXCFAULT_DIR/count" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$PHX_LXCFAULT_DIR/count"
echo "$n $tool $*" >> "$PHX_LXCFAULT_DIR/calls.log"
if [ "$n" = "${PHX_LXCFAULT_AT:-0}" ]; then
	echo "$tool: injected failure (call $n): Operation not permitted" >&2
	exit 1
fi
exec "$PHX_LXCFAULT_REAL/$tool" "$@"
