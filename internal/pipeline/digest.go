package pipeline

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// newDigest returns "salt:hmac" of a value, so a rerun can tell whether it
// changed without the value itself being stored. Only for what is not
// secret (public keys): a digest of a password can be brute-forced, so
// nothing derived from one is ever recorded (see passwordActions).
func newDigest(secret string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	return hex.EncodeToString(salt) + ":" + mac(salt, secret)
}

func digestMatches(rec, secret string) bool {
	s, m, ok := strings.Cut(rec, ":")
	if !ok {
		return false
	}
	salt, err := hex.DecodeString(s)
	return err == nil && hmac.Equal([]byte(m), []byte(mac(salt, secret)))
}

func mac(salt []byte, secret string) string {
	h := hmac.New(sha256.New, salt)
	h.Write([]byte(secret))
	return hex.EncodeToString(h.Sum(nil))
}
