package schema

import (
	"regexp"
	"strings"
)

// cryptHash matches the crypt(3) hashes a password may be given as, salt
// and hash in crypt's own alphabet: yescrypt ($y$, and GOST's $gy$),
// scrypt ($7$), bcrypt ($2b$, $2y$), SHA-512 ($6$) and SHA-256 ($5$).
// Older methods (MD5 $1$, DES) are refused: they fall to brute force.
var cryptHash = regexp.MustCompile(`^(` +
	`\$g?y\$[./0-9A-Za-z]+\$[./0-9A-Za-z]+\$[./0-9A-Za-z]{43}` +
	`|\$7\$[./0-9A-Za-z]{11,}\$[./0-9A-Za-z]{43}` +
	`|\$2[by]\$(0[4-9]|[12][0-9]|3[01])\$[./0-9A-Za-z]{53}` +
	`|\$6\$(rounds=[1-9][0-9]*\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}` +
	`|\$5\$(rounds=[1-9][0-9]*\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{43}` +
	`)$`)

// IsPasswordHash reports whether a password is given as a crypt(3) hash:
// it starts with "$" (checkPassword refuses one that is not well formed).
func IsPasswordHash(pw string) bool { return strings.HasPrefix(pw, "$") }

// PasswordHashHelp says how to make a hash for password.
const PasswordHashHelp = "give a crypt(3) hash: mkpasswd -m yescrypt (or -m sha-512), or Ansible's " +
	"password_hash('sha512', salt) with a fixed salt (a new salt every run is a new hash every run)"

// checkPassword accepts a well-formed crypt(3) hash of a strong method, or
// plain text of at least 5 characters (Proxmox's minimum). It never puts
// the value in a message.
func checkPassword(p, pw string, ps *Problems) {
	switch {
	case pw == "":
	case IsPasswordHash(pw) && !cryptHash.MatchString(pw):
		ps.add(p, "starts with \"$\" but is not a crypt(3) hash of a method phoenix_lxc accepts ($y$, $gy$, $7$, $2b$, $2y$, $6$, $5$, "+
			"with salt and hash complete); %s", PasswordHashHelp)
	case !IsPasswordHash(pw) && len(pw) < 5:
		ps.add(p, "is shorter than 5 characters (Proxmox's minimum)")
	}
}
