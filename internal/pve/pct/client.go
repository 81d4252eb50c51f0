package pct

import (
	"context"
	"strconv"
	"time"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// Client runs pct through a Runner and reads Proxmox files under Root.
type Client struct {
	Runner runner.Runner
	Pct    string // path of pct
	Paths         // Proxmox file locations
	// LockWait bounds the wait for pct's per-container flock when the
	// client edits a conf itself (pct itself waits 10 s).
	LockWait time.Duration
}

// NewClient returns a client for pct at pct reading Proxmox files under
// root (the module takes both from its environment).
func NewClient(r runner.Runner, pct, root string) *Client {
	return &Client{
		Runner:   r,
		Pct:      pct,
		Paths:    Paths{Root: root},
		LockWait: 10 * time.Second,
	}
}

// Opt is one `--key value` option of a pct command.
type Opt struct{ Key, Value string }

// Bool renders a boolean option the only safe way: `--key 0|1`, never a
// bare flag (a bare flag swallows the next positional argument).
func Bool(key string, b bool) Opt {
	if b {
		return Opt{key, "1"}
	}
	return Opt{key, "0"}
}

func (c *Client) argv(sub string, pos []string, opts []Opt) []string {
	a := append([]string{c.Pct, sub}, pos...)
	for _, o := range opts {
		a = append(a, "--"+o.Key, o.Value)
	}
	return a
}

// CreateArgv is `pct create <id> <template> --opt value ...`.
func (c *Client) CreateArgv(ctid int, template string, opts []Opt) []string {
	return c.argv("create", []string{id(ctid), template}, opts)
}

// SetArgv is `pct set <id> --opt value ...`: one batched change.
func (c *Client) SetArgv(ctid int, opts []Opt) []string {
	return c.argv("set", []string{id(ctid)}, opts)
}

// CloneArgv is `pct clone <src> <id> --opt value ...`.
func (c *Client) CloneArgv(src, ctid int, opts []Opt) []string {
	return c.argv("clone", []string{id(src), id(ctid)}, opts)
}

// StartArgv is `pct start <id>`.
func (c *Client) StartArgv(ctid int) []string { return c.argv("start", []string{id(ctid)}, nil) }

// StopArgv is `pct stop <id>` (a hard stop, as pct does it).
func (c *Client) StopArgv(ctid int) []string { return c.argv("stop", []string{id(ctid)}, nil) }

// DestroyArgv is `pct destroy <id> --purge 1`.
func (c *Client) DestroyArgv(ctid int) []string {
	return c.argv("destroy", []string{id(ctid)}, []Opt{Bool("purge", true)})
}

// SnapshotArgv is `pct snapshot <id> <name>`.
func (c *Client) SnapshotArgv(ctid int, name string, opts []Opt) []string {
	return c.argv("snapshot", []string{id(ctid), name}, opts)
}

// TemplateArgv is `pct template <id>`.
func (c *Client) TemplateArgv(ctid int) []string { return c.argv("template", []string{id(ctid)}, nil) }

// ResizeArgv is `pct resize <id> <disk> <gb>G`.
func (c *Client) ResizeArgv(ctid int, disk string, gb int) []string {
	return c.argv("resize", []string{id(ctid), disk, strconv.Itoa(gb) + "G"}, nil)
}

// ExecArgv is `pct exec <id> --keep-env 0 -- argv...`; the `--` keeps pct
// from reading the command's own flags.
// `--keep-env 0` makes pct run `lxc-attach --clear-env`: the module's own
// environment (Ansible's, AWX credentials included) never reaches the
// container. pct has taken it since 2024 (pct-spec.md, version notes).
func (c *Client) ExecArgv(ctid int, argv []string) []string {
	return append([]string{c.Pct, "exec", id(ctid), "--keep-env", "0", "--"}, argv...)
}

// PushArgv is `pct push <id> <host file> <path> [--perms mode]`.
func (c *Client) PushArgv(ctid int, hostFile, path, mode string) []string {
	var opts []Opt
	if mode != "" {
		opts = []Opt{{"perms", mode}}
	}
	return c.argv("push", []string{id(ctid), hostFile, path}, opts)
}

// Run runs argv (built by one of the *Argv methods) and classifies a
// failure into an *Error.
func (c *Client) Run(ctx context.Context, argv []string, stdin []byte) (runner.Result, error) {
	res, err := c.Runner.Run(ctx, runner.Cmd{Argv: argv, Stdin: stdin})
	return res, Classify(err)
}
