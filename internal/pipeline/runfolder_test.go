package pipeline

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The run folder is used only when stat, inside the container, shows it
// and the folders above it as root's directories only root can change.
func TestCheckRunFolder(t *testing.T) {
	const dir = "/tmp/phoenix_run.aB3dE5gH7j"
	ok := "0 755 directory\n0 1777 directory\n0 700 directory\n"
	assert.NoError(t, checkRunFolder(dir, ok))
	for out, bad := range map[string]string{
		"0 755 directory\n0 1777 directory\n0 755 directory\n":     "container: " + dir + " is",
		"0 755 directory\n0 1777 directory\n1000 700 directory\n":  "container: " + dir + " is",
		"0 755 directory\n0 1777 directory\n0 700 symbolic link\n": "container: " + dir + " is",
		"0 755 directory\n0 777 directory\n0 700 directory\n":      "container: /tmp is",
		"0 755 directory\n1000 1777 directory\n0 700 directory\n":  "container: /tmp is",
		"0 755 directory\n0 1777 symbolic link\n0 700 directory\n": "container: /tmp is",
		"0 775 directory\n0 1777 directory\n0 700 directory\n":     "container: / is",
		"0 755 directory\n0 1777 directory\n":                      "want one line for each",
		"":                                                         "want one line for each",
	} {
		err := checkRunFolder(dir, out)
		if assert.Error(t, err, "%q", out) {
			assert.Contains(t, err.Error(), bad, "%q", out)
		}
	}
}
