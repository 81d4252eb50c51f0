package module

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// optionFlags names the flag of `phoenix_lxc run` for each module option it
// takes one to one (ctid and ctids come from --ctid and --all).
var optionFlags = map[string]string{
	"config_file": "config", "hypervisor_config_file": "hypervisor-config", "state": "state",
	"backend": "backend", "allow_restart": "allow-restart", "node": "node",
	"feature_script_dir": "feature-script-dir", "application_script_dir": "application-script-dir",
	"command_timeout": "command-timeout", "lock_timeout": "lock-timeout", "parallel": "parallel",
	"fail_fast": "fail-fast",
}

// parseFlags parses args, flags and positional arguments in any order
// ("validate FILE --hypervisor-config F"), and returns the positional ones.
// -h and --help print usage and the flags on stdout (exit 0); a mistyped
// flag gets the closest one suggested (exit 2). ok is false when the
// command should stop with code.
func parseFlags(fs *flag.FlagSet, args []string, usage string, stdout, stderr io.Writer) (positional []string, code int, ok bool) {
	fs.SetOutput(io.Discard)
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			printFlags(stdout, fs)
			return nil, 0, false
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s: %s\nRun \"%s --help\" for its flags.\n", fs.Name(), flagError(fs, err), fs.Name())
			return nil, 2, false
		}
		if fs.NArg() == 0 {
			return positional, 0, true
		}
		positional, args = append(positional, fs.Arg(0)), fs.Args()[1:]
	}
}

var singleDash = regexp.MustCompile(`(flag |argument: )-(\w)`)

// flagError is the flag package's error with flags written --name, and for
// an unknown flag the closest known one.
func flagError(fs *flag.FlagSet, err error) string {
	name, unknown := strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	if !unknown {
		return singleDash.ReplaceAllString(err.Error(), "$1--$2")
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	msg := "unknown flag --" + name
	if s := schema.Suggest(name, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", dashed(s))
	}
	return msg
}

// printFlags lists the flags as --name VALUE, usage and default.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		if arg != "" {
			arg = " " + arg
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "  %s%s\n        %s\n", dashed(f.Name), arg, usage)
	})
}

// dashed writes a flag as typed: -v, --config.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// optionWords finds the module's option names in a rule's text.
var optionWords = func() *regexp.Regexp {
	names := []string{"ctids", "ctid"}
	for o := range optionFlags {
		names = append(names, o)
	}
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	return regexp.MustCompile(`\b(` + strings.Join(names, "|") + `)\b`)
}()

// cliError renders an error of `phoenix_lxc run` with the flags' names
// where the module's options are named: --config, not config_file.
// Problems of a file keep the file's field names.
func cliError(err error) string {
	if e, ok := err.(notRoot); ok {
		return fmt.Sprintf("phoenix_lxc must run as root (sudo phoenix_lxc run ...); it runs as uid %d", e.uid)
	}
	ps, ok := err.(schema.Problems)
	if !ok {
		return err.Error()
	}
	out := append(schema.Problems(nil), ps...)
	for i, p := range out {
		if p.File == "" {
			first, rest, _ := strings.Cut(p.Path, ".")
			if first == "ctids" && rest != "" {
				first, rest = "ctid", "" // --ctid has no index
			}
			if f := flagName(first); f != first {
				out[i].Path = f
				if rest != "" {
					out[i].Path += "." + rest
				}
			}
			out[i].Rule = optionWords.ReplaceAllStringFunc(p.Rule, flagName)
		}
	}
	return out.Error()
}

// flagName is the flag of an option: ctids is --all (a list of CTIDs is
// --ctid), an option without a flag keeps its name.
func flagName(option string) string {
	switch option {
	case "ctid":
		return "--ctid"
	case "ctids":
		return "--all"
	}
	if f, ok := optionFlags[option]; ok {
		return "--" + f
	}
	return option
}
