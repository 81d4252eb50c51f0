package pipeline

import (
	"context"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
)

// secretsStep sets the root password (on stdin to chpasswd, never on a
// command line) and root's authorized keys, once per value. Only a salted
// digest is recorded.
func secretsStep(ctx context.Context, x *converger) error {
	b := x.req.Backend
	var acts []backend.Action
	if pw := x.spec.Password; pw != "" && !digestMatches(x.st.Records["password"], pw) {
		a := b.Exec(x.ctid, []string{"chpasswd"}, []byte("root:"+pw+"\n"))
		a.Why = "root password differs or was never set"
		acts = append(acts, a, b.Record(x.st, "password", newDigest(pw)))
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
