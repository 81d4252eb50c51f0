package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// secretsStep sets the root password (on stdin to chpasswd, never on a
// command line) and root's authorized keys. Nothing derived from the
// password is recorded or printed. The keys are public: a salted digest of
// them is recorded, so they are pushed once per value.
func secretsStep(ctx context.Context, x *converger) error {
	b := x.req.Backend
	acts, err := passwordActions(ctx, x)
	if err != nil {
		return err
	}
	if keys := x.spec.SSHPublicKeys; len(keys) > 0 {
		content := strings.Join(keys, "\n") + "\n"
		if !digestMatches(x.st.Records["ssh_public_keys"], content) {
			acts = append(acts,
				b.Exec(x.ctid, []string{"mkdir", "-p", "/root/.ssh"}, nil),
				b.Push(x.ctid, []byte(content), "/root/.ssh/authorized_keys", "0600"),
				b.Record(x.st, "ssh_public_keys", newDigest(content)))
		}
	}
	return x.apply(ctx, acts, nil)
}

// passwordActions plans root's password. A crypt(3) hash is compared with
// root's entry in the container's own /etc/shadow, read on every run, and
// set with chpasswd -e when they differ: a password changed inside the
// container is set back. Plain text cannot be compared without deriving
// something from it: it is set once, and the record says only that it was
// (a changed plain-text password is not applied). The record is never
// trusted for the hash form; for plain text it only says "done".
func passwordActions(ctx context.Context, x *converger) ([]backend.Action, error) {
	b, pw := x.req.Backend, x.spec.Password
	if pw == "" {
		return nil, nil
	}
	if !schema.IsPasswordHash(pw) {
		x.warn("password is plain text: it is set once, and a changed one is not applied; to have it enforced on every run, %s", schema.PasswordHashHelp)
		if x.st.Records["password"] == "set" {
			return nil, nil
		}
		set := b.Exec(x.ctid, []string{"chpasswd"}, []byte("root:"+pw+"\n"))
		set.Why = "root password never set by phoenix_lxc (plain text: set once)"
		return []backend.Action{set, b.Record(x.st, "password", "set")}, nil
	}
	var acts []backend.Action
	set := b.Exec(x.ctid, []string{"chpasswd", "-e"}, []byte("root:"+pw+"\n"))
	if x.predicted || !x.st.Running {
		set.Why = "root password from its hash, unless /etc/shadow already has it (read once the container runs)"
		acts = append(acts, set)
	} else if have, err := shadowHash(ctx, b, x.ctid); err != nil {
		return nil, err
	} else if have != pw {
		set.Why = "root's entry in the container's /etc/shadow differs from the password hash"
		acts = append(acts, set)
	}
	if x.st.Records["password"] != "hash" {
		// Says which form is enforced, and replaces what an older version
		// recorded (a digest, or "set" that would stop plain text later).
		acts = append(acts, b.Record(x.st, "password", "hash"))
	}
	return acts, nil
}

// shadowCmd reads the container's shadow file: cat is in every container
// (coreutils, busybox); root's entry is picked out here.
var shadowCmd = []string{"cat", "/etc/shadow"}

// shadowHash returns root's password field from the container's
// /etc/shadow ("" when root has no entry). It only reads, so it runs in
// check mode too: an observation, not an action. What it read is as secret
// as the password: it is never put in an action, a log or an error (a
// failed read's error keeps the command and its stderr, not its stdout).
func shadowHash(ctx context.Context, b backend.Backend, ctid int) (string, error) {
	var out string
	if err := b.Capture(ctid, shadowCmd, &out).Do(ctx); err != nil {
		var re *runner.Error
		if errors.As(err, &re) {
			quiet := *re
			quiet.Stdout = ""
			return "", fmt.Errorf("cannot read root's entry in the container's /etc/shadow to compare the password hash: %w", &quiet)
		}
		return "", fmt.Errorf("cannot read root's entry in the container's /etc/shadow to compare the password hash (%s)", runner.Quote(shadowCmd))
	}
	for _, l := range strings.Split(out, "\n") {
		if user, rest, ok := strings.Cut(l, ":"); ok && user == "root" {
			field, _, _ := strings.Cut(rest, ":")
			return field, nil
		}
	}
	return "", nil
}
