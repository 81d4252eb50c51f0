package module

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// Usage is the command line help.
const Usage = `phoenix_lxc: converge Proxmox VE / LXC containers from a JSON spec.

As an Ansible module:   phoenix_lxc ARGSFILE   (or phoenix_lxc - : the args on stdin)
Commands:
  run [flags]                        converge containers, print a step-by-step report (--json: the module's JSON)
  validate FILE [--hypervisor-config F]   check a config file, print every problem
  schema [config|args]               print the JSON Schema of a config file (default) or of the module options
  conf ...                           read, check or edit a Proxmox container config file (see phoenix_lxc conf -h)
  version                            print the version
  help                               print this help
Run "phoenix_lxc run -h" for the flags of run.
`

// Main dispatches on the first argument: a command name runs the CLI,
// anything else is an Ansible args file. It returns the exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, version string, d Deps) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, Usage)
		out := &output{}
		return out.fail(stdout, "no args file given: Ansible runs this module as phoenix_lxc ARGSFILE; for the command line see phoenix_lxc help")
	}
	switch args[0] {
	case "run":
		return Run(ctx, args[1:], stdout, stderr, d)
	case "validate":
		return Validate(args[1:], stdout, stderr)
	case "schema":
		return Schema(args[1:], stdout, stderr)
	case "conf":
		return conf.Main(args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintf(stdout, "phoenix_lxc %s (%s)\n", version, runtime.Version())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, Usage)
		return 0
	}
	return Module(ctx, args[0], stdout, stderr, d)
}

// Schema prints one of the embedded JSON Schemas.
func Schema(args []string, stdout, stderr io.Writer) int {
	which := "config"
	if len(args) > 0 {
		which = args[0]
	}
	switch which {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, "usage: phoenix_lxc schema [config|args]\n\nPrints the JSON Schema of a config file (config, the default) or of the module options (args).\n")
	case "config":
		_, _ = stdout.Write(schema.ConfigSchema)
	case "args":
		_, _ = stdout.Write(schema.ArgsSchema)
	default:
		fmt.Fprintf(stderr, "phoenix_lxc schema: unknown schema %q: want config or args\n", which)
		return 2
	}
	return 0
}

// validateUsage heads the help of phoenix_lxc validate.
const validateUsage = `usage: phoenix_lxc validate FILE [--hypervisor-config F]

Checks a config file (and the shared volumes of a hypervisor config) and
prints every problem, or "FILE: ok (N containers)".

Flags:
`

// Validate checks a config file (and the shared volumes of a hypervisor
// config) and prints every problem, or "FILE: ok (N containers)".
func Validate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("phoenix_lxc validate", flag.ContinueOnError)
	hv := fs.String("hypervisor-config", "", "hypervisor config whose shared_volumes are merged in")
	files, code, ok := parseFlags(fs, args, validateUsage, stdout, stderr)
	if !ok {
		return code
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "phoenix_lxc validate: want one FILE; run \"phoenix_lxc validate --help\" for its usage")
		return 2
	}
	file := files[0]
	cf, warnings, err := schema.LoadConfigFile(file, *hv)
	for _, w := range warnings {
		fmt.Fprintln(stderr, "warning:", w)
	}
	if ps, ok := err.(schema.Problems); ok {
		for _, p := range ps {
			fmt.Fprintln(stdout, p)
		}
		fmt.Fprintf(stdout, "%s: %s\n", file, schema.Count(len(ps), "problem"))
		return 1
	}
	if err != nil {
		fmt.Fprintln(stdout, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: ok (%s)\n", file, schema.Count(len(cf.LXCConfigs), "container"))
	return 0
}
