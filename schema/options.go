package schema

// Options are the module's options: the Ansible task arguments, and the
// flags of `phoenix_lxc run`.
type Options struct {
	CTID                 *int     `json:"ctid,omitempty" jsonschema:"minimum=100,maximum=999999999,description=The container to converge."`
	CTIDs                *CTIDSet `json:"ctids,omitempty" jsonschema:"description=Containers to converge: a list of CTIDs\\, a comma-separated string of them (7030\\,7031)\\, or the string all (every container of config_file)."`
	ConfigFile           string   `json:"config_file,omitempty" jsonschema:"description=Path of a phoenix_lxc_configs.json (object lxc_configs keyed by CTID)."`
	HypervisorConfigFile string   `json:"hypervisor_config_file,omitempty" jsonschema:"description=Path of phoenix_hypervisor_config.json; only its shared_volumes are read."`
	Container            *Spec    `json:"container,omitempty" jsonschema:"description=One container spec inline (needs ctid)."`
	State                string   `json:"state,omitempty" jsonschema:"enum=present,enum=stopped,enum=absent,default=present,description=present: full pipeline\\, ends running. stopped: converged but stopped. absent: destroyed."`
	Backend              string   `json:"backend,omitempty" jsonschema:"enum=auto,enum=pct,enum=lxc,default=auto,description=auto picks pct where /usr/sbin/pct exists\\, else lxc."`
	FeatureScriptDir     string   `json:"feature_script_dir,omitempty" jsonschema:"description=Folder of host feature scripts phoenix_hypervisor_feature_install_<feature>.sh (default /usr/local/phoenix_hypervisor/bin)."`
	ApplicationScriptDir string   `json:"application_script_dir,omitempty" jsonschema:"description=Folder of application scripts (default /usr/local/phoenix_hypervisor/bin)."`
	AllowRestart         bool     `json:"allow_restart,omitempty" jsonschema:"default=false,description=May restart a running container to apply a change that needs it; otherwise the change is reported."`
	Node                 string   `json:"node,omitempty" jsonschema:"description=This host's node name (default: the nodename of /etc/pve/.members\\, else the host name). Containers pinned to another node\\, or held by another cluster node\\, are skipped; in a cluster of several nodes a new container whose spec names no node needs this option."`
	CommandTimeout       int      `json:"command_timeout,omitempty" jsonschema:"minimum=1,maximum=86400,default=600,description=Seconds before any external command is killed."`
	LockTimeout          int      `json:"lock_timeout,omitempty" jsonschema:"minimum=0,maximum=86400,default=120,description=Seconds to wait for another run on the same container."`
	SharedVolumeRoots    []string `json:"shared_volume_roots,omitempty" jsonschema:"description=When set\\, every shared volume's host_path must lie inside one of these absolute folders."`
	Parallel             int      `json:"parallel,omitempty" jsonschema:"minimum=1,maximum=64,default=4,description=Containers converged at once; a container starts as soon as its clone source and dependencies are done. 1 converges one at a time in dependency order."`
	FailFast             bool     `json:"fail_fast,omitempty" jsonschema:"default=false,description=Start no further container after the first failure. Otherwise only the containers that depend on a failed one are skipped."`
}

// CTIDSet is the ctids option: either a list or all. A comma-separated
// string is split into a list before it is decoded (commaList).
type CTIDSet struct {
	All  bool
	List []CTID
}
