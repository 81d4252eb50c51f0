package schema

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// problemsOf parses a config file's content and returns its problems as
// "path: rule" lines.
func problemsOf(t *testing.T, doc string) string {
	t.Helper()
	_, _, ps := ParseConfig([]byte(doc))
	return ps.Error()
}

const okSpec = `{"name": "a", "template": "local:vztmpl/d.tar.zst"}`

// A CTID key is canonical decimal; two spellings of one container are
// refused, each naming the other, never resolved at random.
func TestCTIDKeysAreCanonical(t *testing.T) {
	for _, key := range []string{"0960", "+960", "-960", " 960", "960 ", "9.6e2", "9e2", "960.0", "０960", "96_0"} {
		msg := problemsOf(t, `{"lxc_configs": {"`+key+`": `+okSpec+`}}`)
		assert.Contains(t, msg, "lxc_configs."+key+`: key "`+key+`" is not a CTID`, key)
		assert.Contains(t, msg, "without leading zeros, sign, exponent or spaces", key)
		assert.NotContains(t, msg, "unknown field", "one problem per key, not a schema echo: %s", msg)
	}
	msg := problemsOf(t, `{"lxc_configs": {"960": `+okSpec+`, "0960": `+okSpec+`, "+960": `+okSpec+`}}`)
	assert.Contains(t, msg, `lxc_configs.960: names the same container (CT 960) as "+960", "0960"`)
	assert.Contains(t, msg, `lxc_configs.0960: names the same container (CT 960) as "+960", "960"`)
	assert.Contains(t, msg, `lxc_configs.0960: key "0960" is not a CTID`)

	cf, located, ps := ParseConfig([]byte(`{"lxc_configs": {"960": ` + okSpec + `, "1000": ` + okSpec + `}}`))
	require.Empty(t, ps)
	assert.Len(t, cf.LXCConfigs, 2)
	assert.Equal(t, []int{960, 1000}, []int{located[0].CTID, located[1].CTID})
}

// A CTID written as a string elsewhere ("900" in clone_from_ctid, in
// dependencies, a key of a volume's mounts) follows the same rule.
func TestCTIDStringsAreCanonical(t *testing.T) {
	tpl := `"900": {"name": "tpl", "template": "local:vztmpl/d.tar.zst", "template_snapshot_name": "base"}`
	msg := problemsOf(t, `{"lxc_configs": {`+tpl+`, "901": {"name": "a", "clone_from_ctid": "0900"}}}`)
	assert.Contains(t, msg, "lxc_configs.901.clone_from_ctid")
	msg = problemsOf(t, `{"lxc_configs": {`+tpl+`, "901": {"name": "a", "template": "t", "dependencies": ["0900"]}}}`)
	assert.Contains(t, msg, "lxc_configs.901.dependencies.0")
	_, located, ps := ParseConfig([]byte(`{"lxc_configs": {` + tpl + `, "901": {"name": "a", "clone_from_ctid": "900"}}}`))
	require.Empty(t, ps)
	assert.Equal(t, CTID(900), *located[1].Spec.CloneFromCTID)

	hv := filepath.Join(t.TempDir(), "hv.json")
	require.NoError(t, os.WriteFile(hv, []byte(`{"shared_volumes": {"v": {"host_path": "/srv/v", "mounts": {"0953": "/v", "953": "/w"}}}}`), 0o644))
	_, _, err := LoadHostVolumes(hv)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `shared_volumes.v.mounts.0953: key "0953" is not a CTID`)
	assert.Contains(t, err.Error(), `shared_volumes.v.mounts.953: names the same container (CT 953) as "0953"`)

	for _, s := range []string{"900", "100", "999999999"} {
		_, err := ParseCTIDText(s)
		assert.NoError(t, err, s)
	}
	_, err = ParseCTIDText("99999999999999999999999")
	assert.EqualError(t, err, "CTID 99999999999999999999999 is out of range 100..999999999")
}

// Field names match exactly: encoding/json would take vllm_PORT (or a
// Unicode case variant) for vllm_port and skip its schema.
func TestFieldNamesAreCaseSensitive(t *testing.T) {
	for key, want := range map[string]string{
		"vllm_PORT":                      "vllm_port",
		"VLLM_port":                      "",                          // not a setting: the schema refuses it
		"vllm_tensor_parallel_\u017fize": "vllm_tensor_parallel_size", // ſ folds to s
		"app_x":                          "",
	} {
		doc := `{"lxc_configs": {"960": {"name": "a", "template": "t", "` + key + `": 99999999}}}`
		cf, _, ps := ParseConfig([]byte(doc))
		switch {
		case key == "app_x":
			require.Empty(t, ps, "an application setting passes")
			assert.NotNil(t, cf)
		case want != "":
			assert.Contains(t, ps.Error(), "lxc_configs.960."+key+`: unknown field (did you mean "`+want+`"? field names are case-sensitive)`, key)
		default:
			assert.Contains(t, ps.Error(), "lxc_configs.960."+key+": unknown field", key)
		}
	}
	// Both spellings: the exact one alone is read, the other refused.
	_, _, ps := ParseConfig([]byte(`{"lxc_configs": {"960": {"name": "a", "template": "t", "vllm_port": 8000, "vllm_PORT": 99999999}}}`))
	assert.Contains(t, ps.Error(), "lxc_configs.960.vllm_PORT: unknown field")

	_, ps = ParseArgs(map[string]any{"ctid": 960, "container": map[string]any{"name": "a", "template": "t", "vllm_PORT": 1}})
	assert.Contains(t, ps.Error(), `container.vllm_PORT: unknown field (did you mean "vllm_port"?`)
	assert.Equal(t, "vllm_port", Suggest("VLLM_PORT", []string{"vllm_args", "vllm_port"}), "a case variant is the closest")
}

// A number an integer field cannot hold exactly is a problem naming the
// field, whatever its spelling.
func TestNumbersMustFitTheirField(t *testing.T) {
	for _, c := range []struct{ field, value, want string }{
		{"boot_order", "1e400", "lxc_configs.960.boot_order: must be less than or equal to"},
		{"boot_order", "2.5", "lxc_configs.960.boot_order: invalid type"},
		{"boot_order", "1e2", "lxc_configs.960.boot_order: must be a whole number written in digits"},
		{"boot_order", "10.0", "lxc_configs.960.boot_order: must be a whole number written in digits"},
		{"vllm_max_model_len", "1e400", "lxc_configs.960.vllm_max_model_len: must be a whole number written in digits"},
		{"vllm_max_model_len", "99999999999999999999999", "lxc_configs.960.vllm_max_model_len: is out of range"},
		{"vllm_gpu_memory_utilization", "1e400", "lxc_configs.960.vllm_gpu_memory_utilization: must be less than or equal to 1"},
		{"clone_from_ctid", "9e2", "lxc_configs.960.clone_from_ctid"},
	} {
		msg := problemsOf(t, `{"lxc_configs": {"960": {"name": "a", "template": "t", "`+c.field+`": `+c.value+`}}}`)
		assert.Contains(t, msg, c.want, "%s: %s", c.field, c.value)
		assert.NotContains(t, msg, "json:", "no raw decoder message: %s", msg)
	}
	_, ps := ParseArgs(map[string]any{"ctid": "0960", "container": map[string]any{"name": "a", "template": "t"}})
	assert.Empty(t, ps, "a templated option string is read as Ansible reads it")
}

// Input files are regular files of bounded size: a device, a FIFO or a
// folder is refused at once, without reading or blocking.
func TestInputFilesAreRegularAndBounded(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	big := filepath.Join(dir, "big.json")
	require.NoError(t, os.WriteFile(big, nil, 0o644))
	require.NoError(t, os.Truncate(big, 17<<20))
	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink("/dev/zero", link))
	for path, want := range map[string]string{
		"/dev/zero": "/dev/zero is a character device, not a regular file",
		fifo:        fifo + " is a FIFO, not a regular file",
		dir:         dir + " is a folder, not a regular file",
		link:        link + " is a character device, not a regular file",
		big:         big + " is larger than 16 MiB, the limit of an input file",
	} {
		_, err := ReadInputFile(path)
		assert.EqualError(t, err, want)
		_, _, err = LoadConfigFile(path, "")
		assert.ErrorContains(t, err, want)
		_, _, err = LoadHostVolumes(path)
		assert.ErrorContains(t, err, want)
	}
	ok := filepath.Join(dir, "ok.json")
	require.NoError(t, os.WriteFile(ok, []byte(strings.Repeat(" ", MaxInputFile-2)+"{}"), 0o644))
	data, err := ReadInputFile(ok)
	require.NoError(t, err)
	assert.Len(t, data, MaxInputFile)
}
