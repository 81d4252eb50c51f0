package pct

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/conf"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// ErrExecFailed is a command run with `pct exec` that failed inside the
// container: its own exit code and stderr, not pct's.
var ErrExecFailed = &Kind{name: "command failed inside the container",
	hint: "its own exit code and output, not pct's"}

var execPctErrors = regexp.MustCompile(`^(Configuration file '[^']*' does not exist|container '\d+' not running!|missing command)`)

// Exec runs argv inside the running container with stdin. A failure of
// pct itself (missing or stopped container) gets its kind; any other
// failure is the command's own, ErrExecFailed.
func (c *Client) Exec(ctx context.Context, ctid int, argv []string, stdin []byte) (runner.Result, error) {
	full := c.ExecArgv(ctid, argv)
	res, err := c.Runner.Run(ctx, runner.Cmd{Argv: full, Stdin: stdin})
	var re *runner.Error
	if err == nil || !errors.As(err, &re) || re.ExitCode < 0 || execPctErrors.MatchString(re.Stderr) {
		return res, Classify(err)
	}
	return res, &Error{Kind: ErrExecFailed, Cmd: re}
}

// Push copies content to path inside the running container through a 0600
// temp file, with mode as --perms. pct push exits 0 when its worker fails,
// so its stderr decides.
func (c *Client) Push(ctx context.Context, ctid int, content []byte, path, mode string) error {
	f, err := os.CreateTemp("", "phoenix_lxc-push-*")
	if err != nil {
		return fmt.Errorf("push %s to CT %d: temp file: %w", path, ctid, err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("push %s to CT %d: temp file: %w", path, ctid, err)
	}
	argv := c.PushArgv(ctid, f.Name(), path, mode)
	res, err := c.Run(ctx, argv, nil)
	if err != nil {
		return err
	}
	return nomapFailure(argv, res)
}

// Resize grows disk to gb GiB. pct resize exits 0 when its worker fails,
// so stderr is checked and the conf read back for the new size.
func (c *Client) Resize(ctx context.Context, ctid int, disk string, gb int) error {
	argv := c.ResizeArgv(ctid, disk, gb)
	cfg, err := c.runNomap(ctx, ctid, argv)
	if err != nil {
		return err
	}
	v, _ := cfg.Main.Get(disk)
	d, _ := conf.ParseMountPoint(v)
	if disk == "rootfs" {
		d, _ = conf.ParseRootFS(v)
	}
	if got := conf.GiB(d.Size); got < float64(gb) {
		return fmt.Errorf("pct resize %d %s %dG reported success but the conf says size %q; check the storage (%s)",
			ctid, disk, gb, d.Size, runner.Quote(argv))
	}
	return nil
}

// Template converts the container to a template. pct template exits 0
// when its worker fails, so stderr is checked and the conf read back for
// template: 1.
func (c *Client) Template(ctx context.Context, ctid int) error {
	argv := c.TemplateArgv(ctid)
	cfg, err := c.runNomap(ctx, ctid, argv)
	if err != nil {
		return err
	}
	if v, _ := cfg.Main.Get("template"); v != "1" {
		return &Error{Kind: ErrTemplateRefused, Cmd: &runner.Error{Argv: argv,
			Stderr: "pct template reported success but the conf has no 'template: 1'"}}
	}
	return nil
}

// ReadConf reads and parses the container's conf file.
func (c *Client) ReadConf(ctid int) (*conf.Config, error) {
	data, err := os.ReadFile(c.Conf(ctid))
	if err != nil {
		return nil, fmt.Errorf("read CT %d config: %w", ctid, err)
	}
	cfg, _ := conf.Parse(data)
	return cfg, nil
}

// runNomap runs a pct command that exits 0 even when its worker fails
// (resize, template): it checks stderr, then reads the conf back so the
// caller can verify the result.
func (c *Client) runNomap(ctx context.Context, ctid int, argv []string) (*conf.Config, error) {
	res, err := c.Run(ctx, argv, nil)
	if err != nil {
		return nil, err
	}
	if err := nomapFailure(argv, res); err != nil {
		return nil, err
	}
	return c.ReadConf(ctid)
}
