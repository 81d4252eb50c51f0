// Command phoenix_lxc is an Ansible module (phoenix_lxc ARGSFILE) and a
// command line tool (phoenix_lxc run|validate|schema|conf|version) that
// converges Proxmox VE and LXC containers from a JSON spec.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/phoenix-hypervisor/phoenix_lxc/module"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := module.Main(ctx, os.Args[1:], os.Stdout, os.Stderr, version, module.Real())
	stop()
	os.Exit(code)
}
