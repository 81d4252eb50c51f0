package pipeline

import (
	"fmt"
	"os"
	"strings"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
)

// subIDFiles are the host's id grants: /etc/subuid and /etc/subgid, or
// PHOENIX_LXC_SUBUID and PHOENIX_LXC_SUBGID (tests point them elsewhere).
func subIDFiles() [2]string {
	f := [2]string{"/etc/subuid", "/etc/subgid"}
	for i, env := range []string{"PHOENIX_LXC_SUBUID", "PHOENIX_LXC_SUBGID"} {
		if v := os.Getenv(env); v != "" {
			f[i] = v
		}
	}
	return f
}

// checkGrants reports host ranges of a custom map that root is not granted in
// /etc/subuid or /etc/subgid (LXC refuses to start such a container).
func checkGrants(m idmap.Set) error {
	var missing []string
	files := subIDFiles()
	for i, k := range []idmap.Kind{idmap.UID, idmap.GID} {
		data, err := os.ReadFile(files[i])
		if err != nil {
			return fmt.Errorf("idmap: cannot read %s: %v (root needs grants there for every host range of the map)", files[i], err)
		}
		for _, e := range m.Uncovered(k, "root", idmap.ParseGrants(string(data))) {
			missing = append(missing, fmt.Sprintf("%q (add root:%d:%d to %s)", e.String(), e.HostID, e.Count, files[i]))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("idmap: the host does not grant root these ranges: %s", strings.Join(missing, ", "))
	}
	return nil
}

// proven reports whether st shows that LXC really runs the container with
// want: the map it was given, and for a running container the kernel's map.
func proven(st *backend.State, want idmap.Set) bool {
	if st.GivenMap == nil || !st.GivenMap.Equal(want) {
		return false
	}
	return !st.Running || (st.RunningMap != nil && st.RunningMap.Equal(want))
}

// gateError explains a failed proof: expected against found.
func gateError(st *backend.State, want idmap.Set) error {
	found := "no map (LXC has not been given one yet)"
	if st.GivenMap != nil {
		found = fmt.Sprintf("[%s] in %s", strings.Join(st.GivenMap.Normalize().Strings(), ", "), st.GivenMapFrom)
	}
	msg := fmt.Sprintf("idmap gate: expected [%s], found %s", strings.Join(want.Normalize().Strings(), ", "), found)
	if st.Running && st.GivenMap != nil && st.GivenMap.Equal(want) {
		got := "nothing"
		if st.RunningMap != nil {
			got = "[" + strings.Join(st.RunningMap.Normalize().Strings(), ", ") + "]"
		}
		msg = fmt.Sprintf("idmap gate: expected [%s], but the running container (init pid %d) has %s", strings.Join(want.Normalize().Strings(), ", "), st.InitPID, got)
	}
	return fmt.Errorf("%s; no shared volume was created, chowned or mounted", msg)
}
