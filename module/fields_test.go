package module

import (
	"reflect"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/lxc"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// Every field of the spec is decided for every backend: honoured, or a
// reason it is not, which the run gives as a warning. A new field fails
// here until each backend says what it does with it; a field a backend
// still names after it left the spec fails too.
func TestEveryFieldIsDecidedForEveryBackend(t *testing.T) {
	var want []string
	spec := reflect.TypeOf(schema.Spec{})
	for i := 0; i < spec.NumField(); i++ {
		if name := schema.JSONName(spec.Field(i)); name != "" {
			want = append(want, name)
		}
	}
	sort.Strings(want)
	for _, b := range []backend.Backend{pve.New(nil, "/usr/sbin/pct", "/"), lxc.New(nil, "")} {
		var got []string
		for f := range b.Fields() {
			got = append(got, f)
		}
		sort.Strings(got)
		assert.Equal(t, want, got, "backend %s", b.Name())
	}
}
