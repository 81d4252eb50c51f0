package module

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// No package under internal/ reads the environment: the module reads it
// once (ReadHost) and passes what it learnt down, so planning and the
// backends can be tested without touching the process's environment.
func TestNothingUnderInternalReadsTheEnvironment(t *testing.T) {
	reads := regexp.MustCompile(`\bos\.(Getenv|LookupEnv|Environ)\(`)
	var found []string
	err := filepath.WalkDir("../internal", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		data, err := os.ReadFile(p)
		if err == nil && reads.Match(data) {
			found = append(found, p)
		}
		return err
	})
	require.NoError(t, err)
	assert.Empty(t, found)
}
