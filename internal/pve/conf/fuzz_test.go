package conf

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzRoundTrip: for any input, Parse then Bytes never panics and its
// output is a fixed point (formatting it again changes nothing), and
// Check never panics.
func FuzzRoundTrip(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.conf")
	more, _ := filepath.Glob("testdata/cases/*.conf")
	for _, s := range append(seeds, more...) {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		first := Fmt(data)
		second := Fmt(first)
		if string(first) != string(second) {
			t.Fatalf("not stable:\ninput  %q\nfirst  %q\nsecond %q", data, first, second)
		}
		Check(data)
	})
}
