#!/bin/bash
# The short benchmark, so that `make bench` cannot rot: every row runs
# (smaller sizes), and a failed measurement fails CI. Goals are reported in
# the table, not enforced here: times on a shared CI machine are noise.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/usr/local/go/bin:$PATH
timeout 240 make bench-short
