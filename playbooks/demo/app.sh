#!/bin/sh
# The demo's application script: runs inside container 9001 (busybox) as
# container root, once per content of this file, and writes into the shared
# volume. /data belongs to container 1000:1000 (host 101000:101000).
set -eu
echo "hello from $(hostname) at $(date -u +%Y-%m-%dT%H:%M:%SZ)" > /data/hello.txt
chown 1000:1000 /data/hello.txt
echo "app.sh wrote /data/hello.txt"
