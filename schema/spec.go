package schema

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// ConfigFile is a phoenix_lxc_configs.json document: the fleet, keyed by CTID.
type ConfigFile struct {
	Schema              string           `json:"$schema,omitempty" jsonschema:"description=URI of the JSON Schema used to validate this document."`
	NvidiaDriverVersion string           `json:"nvidia_driver_version,omitempty" jsonschema:"description=Expected NVIDIA driver version on the host."`
	NvidiaRepoURL       string           `json:"nvidia_repo_url,omitempty" jsonschema:"description=URL of the NVIDIA CUDA repository."`
	NvidiaRunfileURL    string           `json:"nvidia_runfile_url,omitempty" jsonschema:"description=URL of the NVIDIA driver runfile installer."`
	LXCConfigs          map[string]*Spec `json:"lxc_configs" jsonschema:"description=The containers\\, keyed by CTID (100..999999999)."`
}

// Spec is the desired state of one container. Every field of the old
// orchestrator's schema is here, plus what it lacked (idmap, shared volumes,
// secrets, boot settings, node pinning).
type Spec struct {
	Name          string         `json:"name" jsonschema:"description=Hostname of the container (a valid DNS label or name)."`
	MemoryMB      int            `json:"memory_mb,omitempty" jsonschema:"minimum=16,maximum=16777216,description=Memory in MiB."`
	SwapMB        *int           `json:"swap_mb,omitempty" jsonschema:"minimum=0,maximum=16777216,description=Swap in MiB (Proxmox default 512)."`
	Cores         int            `json:"cores,omitempty" jsonschema:"minimum=1,maximum=8192,description=CPU cores."`
	Template      string         `json:"template,omitempty" jsonschema:"description=OS template: a rootfs tarball path or storage volume (pct)\\, or lxc:<name> for an LXC template script (lxc backend). Required unless clone_from_ctid is set."`
	StoragePool   string         `json:"storage_pool,omitempty" jsonschema:"description=Proxmox storage for the root filesystem."`
	StorageSizeGB int            `json:"storage_size_gb,omitempty" jsonschema:"minimum=1,maximum=131072,description=Root filesystem size in GiB; only ever grown."`
	NetworkConfig *NetworkConfig `json:"network_config,omitempty" jsonschema:"description=The first network interface (net0); the old form of networks[0]\\, an error beside networks."`
	MACAddress    string         `json:"mac_address,omitempty" jsonschema:"pattern=^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$,description=MAC address of net0 (with network_config); an error beside networks."`
	Networks      []Network      `json:"networks,omitempty" jsonschema:"maxItems=32,description=The network interfaces: item N is netN (net0..net31). An interface dropped from the list is removed from the container."`
	Features      []string       `json:"features,omitempty" jsonschema:"description=Host feature scripts to run once each (base_setup\\, nvidia\\, docker\\, vllm\\, ollama\\, ...)."`
	GPUAssignment string         `json:"gpu_assignment,omitempty" jsonschema:"pattern=^(none|[0-9]+(\\,[0-9]+)*)$,description=none\\, or comma-separated NVIDIA GPU indices passed through as devices."`
	PortainerRole string         `json:"portainer_role,omitempty" jsonschema:"enum=server,enum=agent,enum=none,enum=infrastructure,description=Role in Portainer; read by application scripts."`
	Unprivileged  *bool          `json:"unprivileged,omitempty" jsonschema:"description=Run unprivileged (default true). Fixed at creation; a clone inherits it."`
	CloneFromCTID *CTID          `json:"clone_from_ctid,omitempty" jsonschema:"description=CTID (in the same file) to clone from\\, using its template_snapshot_name."`

	TemplateSnapshotName string       `json:"template_snapshot_name,omitempty" jsonschema:"pattern=^[a-zA-Z][a-zA-Z0-9_-]{1\\,39}$,description=Snapshot taken last\\, which clones are made from."`
	ApplicationScript    string       `json:"application_script,omitempty" jsonschema:"description=Script (in application_script_dir) pushed into the container and run once per content hash."`
	PctOptions           []string     `json:"pct_options,omitempty" jsonschema:"description=Extra Proxmox feature flags such as nesting=1\\, merged into features."`
	Ports                []string     `json:"ports,omitempty" jsonschema:"description=Port mappings host:container\\, read by application scripts."`
	HealthCheck          *HealthCheck `json:"health_check,omitempty" jsonschema:"description=Command run inside the container after the application script\\, with bounded retries."`
	Firewall             *Firewall    `json:"firewall,omitempty" jsonschema:"description=Proxmox firewall for the container (/etc/pve/firewall/<CTID>.fw)."`

	Dependencies []CTID `json:"dependencies,omitempty" jsonschema:"description=CTIDs converged before this one."`
	StartAtBoot  *bool  `json:"start_at_boot,omitempty" jsonschema:"description=Start when the host boots (onboot)."`
	BootOrder    *int   `json:"boot_order,omitempty" jsonschema:"minimum=0,maximum=1000000,description=Start order at boot (startup order=)."`
	BootDelay    *int   `json:"boot_delay,omitempty" jsonschema:"minimum=0,maximum=86400,description=Seconds to wait after starting this one (startup up=)."`
	Node         string `json:"node,omitempty" jsonschema:"description=Proxmox node this container belongs on; other nodes skip it."`

	Nameserver   []string `json:"nameserver,omitempty" jsonschema:"description=DNS servers (IP addresses) the container uses\\, in this order (Proxmox nameserver; pct backend)."`
	Searchdomain []string `json:"searchdomain,omitempty" jsonschema:"description=DNS search domains (Proxmox searchdomain; pct backend)."`
	Tags         []string `json:"tags,omitempty" jsonschema:"description=Proxmox tags (letters\\, digits\\, _ - + .); compared as a set\\, so their order is never a change (pct backend)."`
	Protection   *bool    `json:"protection,omitempty" jsonschema:"description=Proxmox protection: refuses destroy and changes to the container's mount points. protection: false in the same spec is applied before anything else (pct backend)."`
	Description  *string  `json:"description,omitempty" jsonschema:"description=Notes (several lines allowed) kept above phoenix_lxc's own record lines\\, which never disturb them; a line starting with phoenix_lxc: is refused. Unset: the container's notes are left alone (pct backend)."`

	Idmap         []string       `json:"idmap,omitempty" jsonschema:"description=Custom id map in lxc.idmap syntax\\, e.g. u 0 100000 1000."`
	SharedVolumes []SharedVolume `json:"shared_volumes,omitempty" jsonschema:"description=Host directories bind-mounted into the container."`

	Password      string   `json:"password,omitempty" jsonschema:"description=Root password (secret: never echoed). Best a crypt(3) hash ($y$... or $6$...: mkpasswd\\, or Ansible's password_hash with a fixed salt)\\, set with chpasswd -e and enforced on every run; plain text is set once and a changed one is not applied."`
	SSHPublicKeys []string `json:"ssh_public_keys,omitempty" jsonschema:"description=Authorized keys for root (secret: never echoed)."`

	// Application settings, read only by application scripts.
	VllmModel                *string  `json:"vllm_model,omitempty" jsonschema:"description=Model served by vLLM."`
	VllmServedModelName      string   `json:"vllm_served_model_name,omitempty" jsonschema:"description=Name under which vLLM serves the model."`
	VllmPort                 int      `json:"vllm_port,omitempty" jsonschema:"minimum=1,maximum=65535,description=Port vLLM listens on."`
	VllmTensorParallelSize   int      `json:"vllm_tensor_parallel_size,omitempty" jsonschema:"minimum=1,maximum=64,description=vLLM tensor parallelism."`
	VllmGPUMemoryUtilization *float64 `json:"vllm_gpu_memory_utilization,omitempty" jsonschema:"minimum=0,maximum=1,description=vLLM GPU memory fraction."`
	VllmMaxModelLen          int      `json:"vllm_max_model_len,omitempty" jsonschema:"minimum=1,description=vLLM maximum model length."`
	VllmArgs                 []string `json:"vllm_args,omitempty" jsonschema:"description=Extra vLLM arguments."`
}

// SecretFields are the spec fields whose values are never echoed.
var SecretFields = []string{"password", "ssh_public_keys"}

// NetworkConfig is net0.
type NetworkConfig struct {
	Name   string `json:"name" jsonschema:"description=Interface name inside the container."`
	Bridge string `json:"bridge" jsonschema:"description=Host bridge."`
	IP     string `json:"ip,omitempty" jsonschema:"description=IPv4 address with prefix (10.0.0.5/24)\\, dhcp or manual."`
	GW     string `json:"gw,omitempty" jsonschema:"description=IPv4 gateway."`
}

// Network is one network interface, netN: a veth on a host bridge.
type Network struct {
	Name       string   `json:"name" jsonschema:"description=Interface name inside the container (eth0)."`
	Bridge     string   `json:"bridge" jsonschema:"description=Host bridge (vmbr0)."`
	IP         string   `json:"ip,omitempty" jsonschema:"description=IPv4 address with prefix (10.0.0.5/24)\\, dhcp or manual."`
	GW         string   `json:"gw,omitempty" jsonschema:"description=IPv4 gateway."`
	IP6        string   `json:"ip6,omitempty" jsonschema:"description=IPv6 address with prefix (fd00::5/64)\\, dhcp\\, auto (SLAAC) or manual."`
	GW6        string   `json:"gw6,omitempty" jsonschema:"description=IPv6 gateway."`
	Tag        int      `json:"tag,omitempty" jsonschema:"minimum=1,maximum=4094,description=VLAN tag."`
	MTU        int      `json:"mtu,omitempty" jsonschema:"minimum=64,maximum=65535,description=MTU (Proxmox default: the bridge's)."`
	Rate       *float64 `json:"rate,omitempty" jsonschema:"minimum=0,description=Rate limit in MB/s (pct backend)."`
	Firewall   *bool    `json:"firewall,omitempty" jsonschema:"description=Proxmox firewall on this interface; unset: firewall.enabled (pct backend)."`
	MACAddress string   `json:"mac_address,omitempty" jsonschema:"pattern=^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$,description=MAC address; unset: the one the container has (Proxmox or LXC makes one)."`
}

// NICs are the spec's network interfaces, item N being netN: networks, or
// the old network_config with mac_address as net0. An interface that does
// not set firewall takes firewall.enabled when the spec has a firewall.
func (s *Spec) NICs() []Network {
	nics := append([]Network(nil), s.Networks...)
	if len(nics) == 0 && s.NetworkConfig != nil {
		n := s.NetworkConfig
		nics = []Network{{Name: n.Name, Bridge: n.Bridge, IP: n.IP, GW: n.GW, MACAddress: s.MACAddress}}
	}
	for i := range nics {
		if nics[i].Firewall == nil && s.Firewall != nil {
			on := s.Firewall.Enabled
			nics[i].Firewall = &on
		}
	}
	return nics
}

// NICField is the spec path of field of interface i, as the user wrote
// it: networks.i.field, or network_config.field (mac_address for the
// MAC) in the old form; field "" is the interface itself.
func (s *Spec) NICField(i int, field string) string {
	base := "network_config"
	if len(s.Networks) > 0 {
		base = fmt.Sprintf("networks.%d", i)
	}
	switch {
	case field == "":
		return base
	case field == "mac_address" && len(s.Networks) == 0:
		return field
	}
	return base + "." + field
}

// HealthCheck is run inside the container after the application script.
type HealthCheck struct {
	Command  string `json:"command" jsonschema:"description=Command line\\, split on spaces (no shell)."`
	Retries  int    `json:"retries,omitempty" jsonschema:"minimum=0,maximum=100,description=Tries after the first (default 3)."`
	Interval int    `json:"interval,omitempty" jsonschema:"minimum=0,maximum=600,description=Seconds between tries (default 5)."`
}

// Firewall is the container's Proxmox firewall.
type Firewall struct {
	Enabled bool           `json:"enabled" jsonschema:"description=Enable the Proxmox firewall on every network interface that does not set its own firewall."`
	Rules   []FirewallRule `json:"rules,omitempty" jsonschema:"description=Rules written to /etc/pve/firewall/<CTID>.fw."`
}

// FirewallRule is one line of a Proxmox firewall [RULES] section.
type FirewallRule struct {
	Type    string `json:"type" jsonschema:"enum=in,enum=out,description=Direction."`
	Action  string `json:"action" jsonschema:"enum=ACCEPT,enum=DROP,enum=REJECT"`
	Source  string `json:"source,omitempty" jsonschema:"description=Source address or CIDR."`
	Dest    string `json:"dest,omitempty" jsonschema:"description=Destination address or CIDR."`
	Proto   string `json:"proto,omitempty" jsonschema:"enum=tcp,enum=udp,enum=icmp"`
	Port    string `json:"port,omitempty" jsonschema:"pattern=^[0-9]+([:\\,][0-9]+)*$,description=Destination port(s)."`
	Comment string `json:"comment,omitempty"`
}

// SharedVolume is a host directory bind-mounted into the container.
type SharedVolume struct {
	HostPath  string `json:"host_path" jsonschema:"description=Absolute\\, clean host directory; created when missing (each missing folder planned as its own action). Refused under a mount point the host expects (a network or is_mountpoint storage\\, an /etc/fstab line) while nothing is mounted there."`
	MountPath string `json:"mount_path" jsonschema:"description=Absolute path inside the container."`
	Owner     string `json:"owner,omitempty" jsonschema:"pattern=^[0-9]+:[0-9]+$,description=Owner as container uid:gid\\, mapped to host ids through the proven id map (default 0:0)."`
	Mode      string `json:"mode,omitempty" jsonschema:"pattern=^0?[0-7]{3\\,4}$,description=Octal mode of the top directory; empty leaves the mode as it is."`
	ReadOnly  bool   `json:"read_only,omitempty" jsonschema:"description=Mount read-only."`
	Idmapped  bool   `json:"idmapped,omitempty" jsonschema:"description=An idmapped mount (pct backend\\, pve-container 6.1.6 or later\\, unprivileged containers): the mount maps owner to host_owner\\, so the host folder keeps its host owner and nothing in it is chowned; other ids fall back to the container's map."`
	HostOwner string `json:"host_owner,omitempty" jsonschema:"pattern=^[0-9]+:[0-9]+$,description=With idmapped: the host uid:gid that owner is on disk (default the same numbers as owner; never 0)."`

	// Where is the volume's JSON path in the input (CheckFleet sets it;
	// merged volumes point into the hypervisor config), for messages.
	Where string `json:"-"`
}

// CTID is a container ID. The old files wrote some as strings ("900"),
// so both forms are accepted.
type CTID int

// UnmarshalJSON accepts 900 and "900", canonical decimal only.
func (c *CTID) UnmarshalJSON(b []byte) error {
	s := string(b)
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	n, err := ParseCTIDText(s)
	if err != nil {
		return err
	}
	*c = CTID(n)
	return nil
}

// MarshalJSON writes a number.
func (c CTID) MarshalJSON() ([]byte, error) { return []byte(strconv.Itoa(int(c))), nil }

// IsUnprivileged reports the effective unprivileged flag (default true).
func (s *Spec) IsUnprivileged() bool { return s.Unprivileged == nil || *s.Unprivileged }

// Clone returns a deep copy via JSON.
func (s *Spec) Clone() *Spec {
	b, _ := json.Marshal(s)
	var out Spec
	_ = json.Unmarshal(b, &out)
	return &out
}

// SetFields are the JSON names of the fields spec sets (not zero), in the
// order Spec declares them. gpu_assignment "none" asks for nothing, as if
// it were not set.
func SetFields(spec *Spec) []string {
	var out []string
	v := reflect.ValueOf(spec).Elem()
	for i := 0; i < v.NumField(); i++ {
		name := JSONName(v.Type().Field(i))
		if name == "gpu_assignment" && spec.GPUAssignment == "none" {
			continue
		}
		if name != "" && !v.Field(i).IsZero() {
			out = append(out, name)
		}
	}
	return out
}

// JSONName is the name a struct field has in JSON, "" for none.
func JSONName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	return name
}
