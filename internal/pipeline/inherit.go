package pipeline

import "github.com/phoenix-hypervisor/phoenix_lxc/schema"

// inheritIdmaps returns the fleet with each clone's idmap filled in from its
// clone source (recursively) when the clone names none: Proxmox and LXC both
// copy the source's map into a clone, so that is the map it runs with.
// The input is not modified.
func inheritIdmaps(fleet map[int]*schema.Spec) map[int]*schema.Spec {
	out := make(map[int]*schema.Spec, len(fleet))
	for id, s := range fleet {
		out[id] = s
	}
	for id, s := range fleet {
		if len(s.Idmap) > 0 || s.CloneFromCTID == nil {
			continue
		}
		seen := map[int]bool{id: true}
		for src := fleet[int(*s.CloneFromCTID)]; src != nil; {
			if len(src.Idmap) > 0 {
				c := *s
				c.Idmap = src.Idmap
				out[id] = &c
				break
			}
			if src.CloneFromCTID == nil || seen[int(*src.CloneFromCTID)] {
				break
			}
			seen[int(*src.CloneFromCTID)] = true
			src = fleet[int(*src.CloneFromCTID)]
		}
	}
	return out
}
