// Command phoenix_lxc is an Ansible module (phoenix_lxc ARGSFILE) and a
// command line tool (phoenix_lxc run|validate|schema|conf|version) that
// converges Proxmox VE and LXC containers from a JSON spec.
package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"github.com/phoenix-hypervisor/phoenix_lxc/module"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := stopOnSignal()
	code := module.Main(ctx, os.Args[1:], os.Stdout, os.Stderr, version, module.Real())
	stop()
	os.Exit(code)
}

// stopOnSignal returns a context that SIGTERM or SIGINT cancels with the
// cause "stopped by SIGTERM" (or SIGINT): the run stops at the next safe
// point, kills the commands under way and still prints its one JSON
// object. A second signal ends the module at once.
func stopOnSignal() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		s := <-sigs
		signal.Stop(sigs) // the default action again, for a second signal
		name := "SIGTERM"
		if s == syscall.SIGINT {
			name = "SIGINT"
		}
		cancel(errors.New("stopped by " + name))
	}()
	return ctx, func() { signal.Stop(sigs) }
}
