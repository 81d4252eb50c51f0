package module

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/idmap"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pve/pct"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/hostpath"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/pipeline"
	"github.com/phoenix-hypervisor/phoenix_lxc/schema"
)

// Defaults of the options that have one.
const (
	DefaultScriptDir      = "/usr/local/phoenix_hypervisor/bin"
	DefaultCommandTimeout = 600
	DefaultLockTimeout    = 120
	DefaultParallel       = 4
	DefaultState          = "present"
	DefaultBackend        = "auto"
	LockDir               = "/run/lock/phoenix_lxc"
)

// Job is a validated run not yet started: the request without its backend
// and runner, which Open adds.
type Job struct {
	Request        pipeline.Request
	BackendName    string
	CommandTimeout time.Duration
	Warnings       []string
	Secrets        []string // secret values of the fleet, scrubbed from all output
	Single         bool     // the ctid option was used: one container, flat output
	ShowConfig     bool     // return the containers' full configs (diff, or verbosity 2)
	Node           Node
	Host           Host
}

// Prepare turns validated options into a Job: it loads and checks the
// fleet (config file or inline container), expands the targets and fills
// in defaults. It touches nothing but the input files.
func Prepare(o *schema.Options, host Host, hostname func(Host) (string, error)) (*Job, error) {
	fleet, warnings, err := loadFleet(o)
	if err != nil {
		return nil, err
	}
	targets, err := targetsOf(o, fleet)
	if err != nil {
		return nil, err
	}
	p := &Job{
		BackendName:    or(o.Backend, DefaultBackend),
		CommandTimeout: time.Duration(orInt(o.CommandTimeout, DefaultCommandTimeout)) * time.Second,
		Warnings:       warnings,
		Single:         o.CTID != nil,
	}
	p.Node, p.Host = Node{Name: o.Node, Given: o.Node != ""}, host
	node := o.Node
	if node == "" {
		if node, err = hostname(host); err != nil {
			return nil, fmt.Errorf("node: cannot read this host's name (%v); set the node option", err)
		}
	}
	p.Node.Name = node
	var specs []*schema.Spec
	for _, s := range fleet {
		specs = append(specs, s)
	}
	p.Secrets = specSecrets(specs)
	p.Request = pipeline.Request{
		Fleet:                fleet,
		Targets:              targets,
		NoSpec:               o.ConfigFile == "" && o.Container == nil,
		State:                or(o.State, DefaultState),
		Node:                 node,
		FeatureScriptDir:     or(o.FeatureScriptDir, DefaultScriptDir),
		ApplicationScriptDir: or(o.ApplicationScriptDir, DefaultScriptDir),
		AllowRestart:         o.AllowRestart,
		LockTimeout:          time.Duration(orInt(o.LockTimeout, DefaultLockTimeout)) * time.Second,
		LockDir:              host.LockDir,
		Grants:               idmap.ReadGrants(host.SubUID, host.SubGID),
		Parallel:             orInt(o.Parallel, DefaultParallel),
		FailFast:             o.FailFast,
	}
	vh, err := volumeHost(o, p, host)
	if err != nil {
		return nil, fmt.Errorf("shared volumes: %w", err)
	}
	if err := checkVolumes(p, vh, hostpath.SystemLstat); err != nil {
		return nil, err
	}
	return p, nil
}

// loadFleet reads config_file (with hypervisor_config_file) or takes the
// inline container, and applies every semantic rule. With neither (state
// absent by CTID alone) each listed container gets an empty spec. Errors
// name the file they are about.
func loadFleet(o *schema.Options) (map[int]*schema.Spec, []string, error) {
	fleet := map[int]*schema.Spec{}
	if o.ConfigFile != "" {
		cf, warnings, err := schema.LoadConfigFile(o.ConfigFile, o.HypervisorConfigFile)
		if err != nil {
			return nil, warnings, err
		}
		for key, s := range cf.LXCConfigs {
			id, _ := strconv.Atoi(key)
			fleet[id] = s
		}
		return fleet, warnings, nil
	}
	if o.Container == nil {
		for _, id := range listed(o) {
			fleet[id] = &schema.Spec{}
		}
		return fleet, nil, nil
	}
	located := []schema.Located{{CTID: *o.CTID, Path: "container", Spec: o.Container}}
	var warnings []string
	if o.HypervisorConfigFile != "" {
		vols, w, err := schema.LoadHostVolumes(o.HypervisorConfigFile)
		if err != nil {
			return nil, nil, err
		}
		warnings = append(w, schema.MergeHostVolumes(located, vols)...)
	}
	if ps := schema.CheckFleet(located); len(ps) > 0 {
		return nil, warnings, ps
	}
	fleet[*o.CTID] = o.Container
	return fleet, warnings, nil
}

// targetsOf expands ctid / ctids (a list or all) against the fleet.
func targetsOf(o *schema.Options, fleet map[int]*schema.Spec) ([]int, error) {
	var ids []int
	for id := range fleet {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	if o.CTIDs != nil && o.CTIDs.All {
		return ids, nil
	}
	var out []int
	seen := map[int]bool{}
	for i, id := range listed(o) {
		if _, ok := fleet[id]; !ok {
			path := "ctid"
			if o.CTID == nil {
				path = fmt.Sprintf("ctids.%d", i)
			}
			return nil, schema.Problems{{Path: path, Rule: fmt.Sprintf("container %d is not defined in config_file (it defines %s)", id, list(ids))}}
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// listed is the CTIDs of the ctid or ctids option, in the order given.
func listed(o *schema.Options) []int {
	if o.CTID != nil {
		return []int{*o.CTID}
	}
	var ids []int
	for _, c := range o.CTIDs.List {
		ids = append(ids, int(c))
	}
	return ids
}

func list(ids []int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(id)
	}
	return strings.Join(s, ", ")
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orInt(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

// osHostname is the default node name: on a Proxmox VE node the nodename
// of /etc/pve/.members (pmxcfs's name for this node, which .vmlist and the
// storages' nodes lists use), else the host name.
func osHostname(h Host) (string, error) {
	if n := (pct.Paths{Root: h.PveRoot}).NodeName(); n != "" {
		return n, nil
	}
	return os.Hostname()
}
