// Command bench measures phoenix_lxc side by side with what users would run
// instead, in one run on this machine, and prints one Markdown table in
// which every comparison is a ratio (absolute times on a shared machine are
// noise; ratios measured in the same run are not).
//
// Run it through the Makefile, which builds the module and installs what
// the rows need:
//
//	make bench        # the full table (fleets up to 1,000, 100,000 files, 20 real containers)
//	make bench-short  # the same rows, smaller, for CI (under 3 minutes)
//
// Rows that need root, the lxc tools or Ansible are reported as skipped
// when those are missing, never silently left out.
package main
