package schema

import (
	"strings"
	"testing"
)

// Hashes made by mkpasswd, openssl passwd and libxcrypt's crypt(3).
func TestPasswordHashesOfStrongMethodsAreAccepted(t *testing.T) {
	for _, pw := range []string{
		"$y$j9T$F5Jx5fExrKuPp53xLKQ..1$pAanBp0GxdDoC.EK6Si0uTUwzIJFEvkXDPG7l9k5OFB",
		"$gy$j9T$F5Jx5fExrKuPp53xLKQ..1$YjW0WVCalSAnju7lGLk75eVMMQLArciubPKdjHBqLb1",
		"$7$CU..../....abcdefghijklmno$c1e9Giv0BE3WzSDKzvG74GFYtcIsV1ngrco.B/9WmMB",
		"$2b$05$abcdefghijklmnopqrstuuWHxnxkyNt6AHCwFMQaY6auyqJA8E98a",
		"$2y$05$abcdefghijklmnopqrstuuWHxnxkyNt6AHCwFMQaY6auyqJA8E98a",
		"$6$Rh/OHeJ6rjvY87TH$of/fDIRbz5vmfxHt1eyQhfQ0zqb7kYkkLH2MI4o.M1rldOql4HHwafXbY7BTRCm1/JB0ka82VV6nltq1FivsU0",
		"$6$rounds=5000$abc$34O8oRzThM7onc3iRQAcdWBv2H/sMGJlnsnG6uIkasTEvQkG9apXR/oBhPpqIepkul8wg.bf4wxoel67eJND./",
		"$5$abc$W6SISEcmf6GfVdGFK0lGBXz2NPDhGZ.FBBMOz418YA7",
		"plain-text-pw", // plain text: set once
	} {
		var ps Problems
		if checkPassword("p", pw, &ps); len(ps) > 0 {
			t.Errorf("%s refused: %v", pw, ps)
		}
	}
}

func TestBrokenOrWeakPasswordHashesAreRefused(t *testing.T) {
	for _, pw := range []string{
		"$6$",      // no salt, no hash
		"$6$salt$", // no hash
		"$6$Rh/OHeJ6rjvY87TH$of/fDIRbz5vmfxHt1eyQhfQ0zqb7kYkkLH2MI4o.M1rldOql4HHwafXbY7BTRCm1/JB0ka82VV6nltq1FivsU",   // cut short
		"$6$Rh/OHeJ6rjvY87TH$of/fDIRbz5vmfxHt1eyQhfQ0zqb7kYkkLH2MI4o.M1rldOql4HHwafXbY7BTRCm1/JB0ka82VV6nltq1FivsU0:", // a shadow field separator
		"$1$abcdefgh$3s8Kg4A3Yd7Zj8s7hM5Xf.",                                              // MD5: brute-forced
		"$y$j9T$F5Jx5fExrKuPp53xLKQ..1$pAanBp0GxdDoC.EK6Si0uTUwzIJFEvkXDPG7l9k5OF\nroot2", // a second line
		"$secret-but-plain",
		"abc",
	} {
		var ps Problems
		checkPassword("p", pw, &ps)
		if len(ps) != 1 {
			t.Errorf("%q: want one problem, got %v", pw, ps)
			continue
		}
		if len(pw) > 3 && strings.Contains(ps[0].Rule, pw) {
			t.Errorf("the problem names the value: %v", ps[0])
		}
	}
}
