package pct

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
)

// VMList is pmxcfs's /etc/pve/.vmlist: which node holds each guest of the
// cluster (pve-cluster Cluster.pm get_vmlist; check_vmid_unused reads it).
func (p Paths) VMList() string { return p.join("etc/pve/.vmlist") }

// Members is pmxcfs's /etc/pve/.members: this node's name (nodename) and
// the cluster's nodes (nodelist).
func (p Paths) Members() string { return p.join("etc/pve/.members") }

// ClusterMembers is what .members says: this node's name, the cluster's nodes.
type ClusterMembers struct {
	NodeName string                     `json:"nodename"`
	NodeList map[string]json.RawMessage `json:"nodelist"`
}

// ReadMembers reads .members; a missing file is an empty one.
func (p Paths) ReadMembers() (ClusterMembers, error) {
	var m ClusterMembers
	return m, ReadJSON(p.Members(), &m)
}

// NodeName is this node's name in .members (pmxcfs's name for it, which
// .vmlist and the storages' nodes lists use), "" when there is none.
func (p Paths) NodeName() string {
	m, _ := p.ReadMembers()
	return m.NodeName
}

// ReadJSON decodes a pmxcfs status file; a missing one leaves v as it is.
func ReadJSON(path string, v any) error {
	data, err := ReadFile(path)
	return DecodeJSON(path, data, err, v)
}

// DecodeJSON decodes data, the content of the pmxcfs status file at path
// as read with error err: a missing file leaves v as it is, any other
// failure names the path.
func DecodeJSON(path string, data []byte, err error, v any) error {
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil {
		err = json.Unmarshal(data, v)
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}
