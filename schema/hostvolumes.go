package schema

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// HostVolume is one entry of the hypervisor config's shared_volumes: a host
// directory and where it is mounted in which containers.
type HostVolume struct {
	Name     string
	HostPath string
	Owner    string // container uid:gid; "" is 0:0
	Mode     string // "" leaves the mode as it is
	ReadOnly bool
	Mounts   map[int]string // CTID -> mount path
}

// LoadHostVolumes reads only shared_volumes from a hypervisor config
// (phoenix_hypervisor_config.json). An entry without host_path is skipped
// with a warning; a malformed entry is a problem naming its path.
func LoadHostVolumes(path string) ([]HostVolume, []string, error) {
	data, err := ReadInputFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("hypervisor config %s: cannot read it: %w", path, err)
	}
	tree, err := decodeFile(data)
	if err != nil {
		return nil, nil, asProblems(err).inFile(path)
	}
	root, ok := tree.(map[string]any)
	if !ok {
		return nil, nil, Problems{{Rule: "want a JSON object"}}.inFile(path)
	}
	section, ok := root["shared_volumes"].(map[string]any)
	if !ok {
		if root["shared_volumes"] != nil {
			return nil, nil, Problems{{Path: "shared_volumes", Rule: "must be an object of named volumes"}}.inFile(path)
		}
		return nil, nil, nil
	}
	var ps Problems
	checkStrings(section, "shared_volumes", &ps)
	var vols []HostVolume
	var warnings []string
	names := make([]string, 0, len(section))
	for n := range section {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		p := join("shared_volumes", name)
		entry, _ := section[name].(map[string]any)
		hp, _ := entry["host_path"].(string)
		if hp == "" {
			warnings = append(warnings, fmt.Sprintf("%s: %s has no host_path, skipped (not a shared volume)", path, p))
			continue
		}
		v := HostVolume{Name: name, HostPath: hp, Mounts: map[int]string{}}
		v.Owner, _ = entry["owner"].(string)
		v.Mode, _ = entry["mode"].(string)
		v.ReadOnly, _ = entry["read_only"].(bool)
		mounts, ok := entry["mounts"].(map[string]any)
		if !ok {
			ps.add(join(p, "mounts"), "is required: an object of CTID -> mount path")
		}
		ids := ctidKeys(mounts, join(p, "mounts"), &ps)
		for key, mp := range mounts {
			id, ok := ids[key]
			s, isString := mp.(string)
			switch {
			case !ok:
				// refused by ctidKeys
			case id < MinCTID || id > MaxCTID:
				ps.add(join(p, "mounts", key), "key is not a CTID (%d..%d)", MinCTID, MaxCTID)
			case !isString:
				ps.add(join(p, "mounts", key), "must be a mount path string")
			default:
				v.Mounts[id] = s
			}
		}
		vols = append(vols, v)
	}
	if len(ps) > 0 {
		return nil, warnings, ps.inFile(path)
	}
	return vols, warnings, nil
}

// MergeHostVolumes adds each host volume to the containers it names, as a
// per-container shared volume whose JSON path points into the hypervisor
// config. Mounts for containers outside the fleet are left alone.
func MergeHostVolumes(fleet []Located, vols []HostVolume) []string {
	index := map[int]int{}
	for i, l := range fleet {
		index[l.CTID] = i
		for len(fleet[i].VolumePaths) < len(l.Spec.SharedVolumes) {
			fleet[i].VolumePaths = append(fleet[i].VolumePaths, join(l.Path, "shared_volumes", len(fleet[i].VolumePaths)))
		}
	}
	var warnings []string
	for _, v := range vols {
		ids := make([]int, 0, len(v.Mounts))
		for id := range v.Mounts {
			ids = append(ids, id)
		}
		sort.Ints(ids)
		for _, id := range ids {
			i, ok := index[id]
			if !ok {
				continue // another input's container: nothing to do here
			}
			owner := v.Owner
			if owner == "" {
				owner = "0:0"
			}
			l := &fleet[i]
			l.Spec.SharedVolumes = append(l.Spec.SharedVolumes, SharedVolume{
				HostPath: v.HostPath, MountPath: v.Mounts[id], Owner: owner, Mode: v.Mode, ReadOnly: v.ReadOnly,
			})
			l.VolumePaths = append(l.VolumePaths, join("shared_volumes", v.Name, "mounts", id))
		}
	}
	return warnings
}

// OwnerIDs are the container uid and gid of owner ("0:0" when unset).
func (v SharedVolume) OwnerIDs() (int64, int64, error) { return parseIDs("owner", v.Owner) }

// HostIDs are the host uid and gid an idmapped volume's owner is on disk:
// host_owner, else the same numbers as owner.
func (v SharedVolume) HostIDs() (int64, int64, error) {
	if v.HostOwner == "" {
		return v.OwnerIDs()
	}
	return parseIDs("host_owner", v.HostOwner)
}

func parseIDs(field, text string) (int64, int64, error) {
	if text == "" {
		text = "0:0"
	}
	u, g, ok := strings.Cut(text, ":")
	uid, err1 := strconv.ParseInt(u, 10, 64)
	gid, err2 := strconv.ParseInt(g, 10, 64)
	if !ok || err1 != nil || err2 != nil || uid < 0 || gid < 0 || uid > 4294967294 || gid > 4294967294 {
		return 0, 0, fmt.Errorf("%s %q is not \"uid:gid\" (e.g. \"1000:1000\")", field, text)
	}
	return uid, gid, nil
}
