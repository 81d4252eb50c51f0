package runner

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxOutput is how much of each output stream of a command is kept: its
// last 64 KiB. A command may print without limit (an application script
// printing 100 MB); the module's memory and its answer stay small.
const MaxOutput = 64 << 10

// tail is an io.Writer that keeps only the last max bytes written to it
// and counts the bytes it dropped before them.
type tail struct {
	max int
	buf []byte
	cut int64
}

func (t *tail) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) >= t.max {
		t.cut += int64(len(t.buf) + len(p) - t.max)
		t.buf = append(t.buf[:0], p[len(p)-t.max:]...)
		return n, nil
	}
	if over := len(t.buf) + len(p) - t.max; over > 0 {
		t.cut += int64(over)
		t.buf = t.buf[:copy(t.buf, t.buf[over:])]
	}
	t.buf = append(t.buf, p...)
	return n, nil
}

// Bytes returns what was kept. When the head was dropped, the text starts
// with a line saying so, and at a character boundary.
func (t *tail) Bytes() []byte {
	if t.cut == 0 {
		return t.buf
	}
	kept := t.buf
	for i := 0; i < utf8.UTFMax && len(kept) > 0 && !utf8.RuneStart(kept[0]); i++ {
		kept = kept[1:]
	}
	note := fmt.Sprintf("[phoenix_lxc: output cut, the first %d bytes were dropped; the last %d follow]\n", t.cut+int64(len(t.buf)-len(kept)), len(kept))
	return append([]byte(note), kept...)
}

// The end of an output that a message shows: at most BriefLines lines and
// BriefBytes bytes. Error messages stay short; the whole kept tail is in
// Error.Stdout and Error.Stderr, and `phoenix_lxc run -v` prints it.
const (
	BriefLines = 6
	BriefBytes = 1024
)

// Brief returns the last lines of out, trimmed, at most BriefLines of them
// and BriefBytes in all (cut at a character boundary), starting with "..."
// when anything came before them.
func Brief(out string) string {
	s := strings.TrimSpace(out)
	cut := false
	if len(s) > BriefBytes {
		s, cut = s[len(s)-BriefBytes:], true
		for len(s) > 0 && !utf8.RuneStart(s[0]) {
			s = s[1:]
		}
	}
	if lines := strings.Split(s, "\n"); len(lines) > BriefLines {
		s, cut = strings.Join(lines[len(lines)-BriefLines:], "\n"), true
	}
	if cut {
		s = "..." + s
	}
	return s
}
