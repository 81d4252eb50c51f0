package module

import (
	"strings"
	"testing"
)

// spec builds an inline container task: a valid spec with fields replaced
// or added by extra (a JSON fragment starting with a comma, or "").
func spec(fields string) string {
	return `{"ctid": 9100, "container": {"name": "web", "template": "local:vztmpl/d.tar.zst"` + fields + `}}`
}

// cfg builds a config-file task for file fleet.json holding containers.
func cfg(containers string) (string, map[string]string) {
	return `{"ctids": "all", "config_file": "@DIR@/fleet.json"}`,
		map[string]string{"fleet.json": `{"lxc_configs": {` + containers + `}}`}
}

const tpl = `"9000": {"name": "tpl", "template": "local:vztmpl/d.tar.zst", "template_snapshot_name": "golden"}`

type bad struct {
	name  string
	args  string
	files map[string]string
	want  []string // substrings of msg: the field path and the rule
}

func badInputs() []bad {
	withCfg := func(name, containers string, want ...string) bad {
		a, f := cfg(containers)
		return bad{name, a, f, want}
	}
	return []bad{
		// The args file itself.
		{"args file missing", "<missing>", nil, []string{"args file", "cannot read"}},
		{"args file empty", "", nil, []string{"args file", "empty"}},
		{"args file not JSON", "ctid=100", nil, []string{"args file", "not valid JSON"}},
		{"args file a JSON array", `[{"ctid": 100}]`, nil, []string{"args file", "JSON array"}},
		{"args file two objects", `{} {}`, nil, []string{"args file", "more than one value"}},
		{"duplicate key", `{"ctid": 100, "ctid": 101, "container": {"name": "a", "template": "t"}}`, nil, []string{"ctid", "duplicate key"}},
		// Options: unknown, wrong types, missing, conflicting.
		{"unknown option with hint", spec("") + "", nil, nil}, // replaced below
		{"unknown option far from any", `{"ctid": 100, "zzzzzzzzzz": 1}`, nil, []string{"zzzzzzzzzz", "unknown field"}},
		{"ctid a string word", `{"ctid": "web", "container": {"name": "a", "template": "t"}}`, nil, []string{"ctid", "invalid type"}},
		{"ctid below range", `{"ctid": 99, "container": {"name": "a", "template": "t"}}`, nil, []string{"ctid", "greater than or equal to 100"}},
		{"state not an enum", spec("") + "", nil, nil}, // replaced below
		{"backend not an enum", `{"ctid": 100, "backend": "docker", "container": {"name": "a", "template": "t"}}`, nil, []string{"backend", "must be one of"}},
		{"check_mode-like option typo", `{"ctid": 100, "check_mode": true, "container": {"name": "a", "template": "t"}}`, nil, []string{"check_mode", "unknown field"}},
		{"command_timeout zero-like negative", `{"ctid": 100, "command_timeout": -5, "container": {"name": "a", "template": "t"}}`, nil, []string{"command_timeout", "greater than or equal to 1"}},
		{"allow_restart not a bool", `{"ctid": 100, "allow_restart": "maybe", "container": {"name": "a", "template": "t"}}`, nil, []string{"allow_restart", "invalid type"}},
		{"ctids bad word", `{"ctids": "some", "config_file": "/x"}`, nil, []string{"ctids", "must be"}},
		{"neither ctid nor ctids", `{"config_file": "/x.json"}`, nil, []string{"ctid", "is required"}},
		{"both ctid and ctids", `{"ctid": 100, "ctids": [100], "config_file": "/x.json"}`, nil, []string{"ctids", "not both"}},
		{"no spec source", `{"ctid": 100}`, nil, []string{"config_file", "is required"}},
		{"config_file and container", `{"ctid": 100, "config_file": "/x", "container": {"name": "a", "template": "t"}}`, nil, []string{"container", "not both"}},
		{"container with ctids", `{"ctids": [100], "container": {"name": "a", "template": "t"}}`, nil, []string{"ctid", "required with container"}},
		{"script dir relative", `{"ctid": 100, "feature_script_dir": "bin", "container": {"name": "a", "template": "t"}}`, nil, []string{"feature_script_dir", "not an absolute path"}},
		{"config file missing", `{"ctid": 100, "config_file": "@DIR@/nope.json"}`, nil, []string{"config_file", "cannot read"}},
		{"ctid not in file", `{"ctid": 777, "config_file": "@DIR@/fleet.json"}`, map[string]string{"fleet.json": `{"lxc_configs": {` + tpl + `}}`}, []string{"ctid", "777 is not defined", "9000"}},
		// Container spec: schema.
		{"spec missing name", `{"ctid": 9100, "container": {"template": "t"}}`, nil, []string{"container.name", "is required"}},
		{"spec unknown key with hint", spec(`, "memroy_mb": 512`), nil, []string{"container.memroy_mb", `did you mean "memory_mb"`}},
		{"spec memory wrong type", spec(`, "memory_mb": "2G"`), nil, []string{"container.memory_mb", "invalid type"}},
		{"spec cores zero", spec(`, "cores": 0`), nil, []string{"container.cores", "greater than or equal to 1"}},
		{"spec bad mac", spec(`, "mac_address": "52:54:00:zz:00:01"`), nil, []string{"container.mac_address", "pattern"}},
		{"network missing bridge", spec(`, "network_config": {"name": "eth0"}`), nil, []string{"container.network_config.bridge", "is required"}},
		{"firewall rule bad action", spec(`, "firewall": {"enabled": true, "rules": [{"type": "in", "action": "ALLOW"}]}`), nil, []string{"container.firewall.rules.0.action", "must be one of"}},
		{"shared volume bad owner", spec(`, "shared_volumes": [{"host_path": "/srv/a", "mount_path": "/a", "owner": "www-data"}]`), nil, []string{"container.shared_volumes.0.owner", "pattern"}},
		{"clone_from_ctid word", spec(`, "clone_from_ctid": "tpl"`), nil, []string{"container.clone_from_ctid"}},
		// Container spec: semantic rules.
		{"name not a hostname", `{"ctid": 9100, "container": {"name": "web_server", "template": "t"}}`, nil, []string{"container.name", "not a valid hostname"}},
		{"name begins with dash", `{"ctid": 9100, "container": {"name": "-rm", "template": "t"}}`, nil, []string{"container.name", "not a valid hostname"}},
		{"newline in a value", spec(`, "storage_pool": "local\nlxc.apparmor.profile: unconfined"`), nil, []string{"container.storage_pool", "control character"}},
		{"NUL in an app setting", spec(`, "app_x": "a\u0000b"`), nil, []string{"container.app_x", "control character"}},
		{"template begins with dash", `{"ctid": 9100, "container": {"name": "web", "template": "--purge"}}`, nil, []string{"container.template", "begins with '-'"}},
		{"no template and no clone", `{"ctid": 9100, "container": {"name": "web"}}`, nil, []string{"container.template", "required unless clone_from_ctid"}},
		{"feature with slash", spec(`, "features": ["../../bin/sh"]`), nil, []string{"container.features.0", "plain file name"}},
		{"application script with slash", spec(`, "application_script": "/tmp/x.sh"`), nil, []string{"container.application_script", "plain file name"}},
		{"pct option with comma", spec(`, "pct_options": ["nesting=1,keyctl=1"]`), nil, []string{"container.pct_options.0", "key=value"}},
		{"bad ip", spec(`, "network_config": {"name": "eth0", "bridge": "vmbr0", "ip": "10.0.0.300/24"}`), nil, []string{"container.network_config.ip", "IPv4"}},
		{"host path relative", spec(`, "shared_volumes": [{"host_path": "srv/a", "mount_path": "/a"}]`), nil, []string{"container.shared_volumes.0.host_path", "is not absolute"}},
		{"host path with dotdot", spec(`, "shared_volumes": [{"host_path": "/srv/../etc", "mount_path": "/a"}]`), nil, []string{"container.shared_volumes.0.host_path", "not clean"}},
		{"host path root", spec(`, "shared_volumes": [{"host_path": "/", "mount_path": "/a"}]`), nil, []string{"container.shared_volumes.0.host_path", "system directory"}},
		{"host path in /etc/pve", spec(`, "shared_volumes": [{"host_path": "/etc/pve/priv", "mount_path": "/a"}]`), nil, []string{"container.shared_volumes.0.host_path", "protected host tree /etc"}},
		{"host path in /proc", spec(`, "shared_volumes": [{"host_path": "/proc/1", "mount_path": "/a"}]`), nil, []string{"container.shared_volumes.0.host_path", "protected host tree /proc"}},
		{"mount path relative", spec(`, "shared_volumes": [{"host_path": "/srv/a", "mount_path": "data"}]`), nil, []string{"container.shared_volumes.0.mount_path", "not an absolute path"}},
		{"owner outside default map", spec(`, "shared_volumes": [{"host_path": "/srv/a", "mount_path": "/a", "owner": "70000:0"}]`), nil, []string{"container.shared_volumes.0.owner", "uid 70000 is not inside"}},
		{"idmap entry malformed", spec(`, "idmap": ["u 0 100000"]`), nil, []string{"container.idmap.0", "id map entry"}},
		{"idmap leaves a gap", spec(`, "idmap": ["u 0 100000 1000", "g 0 100000 65536"]`), nil, []string{"container.idmap", "uid 1000 is not mapped"}},
		{"idmap overlaps on host", spec(`, "idmap": ["u 0 100000 65536", "u 65536 100000 10", "g 0 100000 65536"]`), nil, []string{"container.idmap", "overlap on the host side"}},
		{"idmap on privileged", spec(`, "unprivileged": false, "idmap": ["u 0 100000 65536", "g 0 100000 65536"]`), nil, []string{"container.idmap", "privileged"}},
		{"snapshot with shared volumes", spec(`, "template_snapshot_name": "golden", "shared_volumes": [{"host_path": "/srv/a", "mount_path": "/a"}]`), nil, []string{"container.template_snapshot_name", "bind mount"}},
		{"password too short", spec(`, "password": "abc"`), nil, []string{"container.password", "shorter than 5"}},
		{"ssh key not a key", spec(`, "ssh_public_keys": ["hello"]`), nil, []string{"container.ssh_public_keys.0", "OpenSSH"}},
		{"inline clone source missing", `{"ctid": 9100, "container": {"name": "web", "clone_from_ctid": 9000}}`, nil, []string{"container.clone_from_ctid", "not a container of this input"}},
		// Config files: fleet rules.
		withCfg("ctid key out of range", `"42": {"name": "a", "template": "t"}`, "lxc_configs.42", "out of range"),
		withCfg("ctid key not digits", `"web": {"name": "a", "template": "t"}`, "lxc_configs.web", "is not a CTID"),
		withCfg("clone source not in file", `"9100": {"name": "a", "clone_from_ctid": 9050}`, "lxc_configs.9100.clone_from_ctid", "9050"),
		withCfg("clone source without snapshot", `"9000": {"name": "tpl", "template": "t"}, "9100": {"name": "a", "clone_from_ctid": "9000"}`, "lxc_configs.9100.clone_from_ctid", "no template_snapshot_name"),
		withCfg("clone privilege differs", tpl+`, "9100": {"name": "a", "clone_from_ctid": 9000, "unprivileged": false}`, "lxc_configs.9100.unprivileged", "cannot change it"),
		withCfg("clone cycle", `"9000": {"name": "a", "clone_from_ctid": 9001, "template_snapshot_name": "s"}, "9001": {"name": "b", "clone_from_ctid": 9000, "template_snapshot_name": "s"}`, "lxc_configs.9000", "cycle"),
		withCfg("dependency missing", tpl+`, "9100": {"name": "a", "clone_from_ctid": 9000, "dependencies": [4242]}`, "lxc_configs.9100.dependencies.0", "4242"),
		withCfg("template and clone both", tpl+`, "9100": {"name": "a", "template": "t", "clone_from_ctid": 9000}`, "lxc_configs.9100.clone_from_ctid", "not both"),
		withCfg("duplicate mount path", `"9100": {"name": "a", "template": "t", "shared_volumes": [{"host_path": "/srv/a", "mount_path": "/d"}, {"host_path": "/srv/b", "mount_path": "/d"}]}`, "lxc_configs.9100.shared_volumes.1.mount_path", "already mounted"),
		withCfg("gateway not an address", `"9100": {"name": "a", "template": "t", "network_config": {"name": "eth0", "bridge": "vmbr0", "gw": "router"}}`, "lxc_configs.9100.network_config.gw", "IPv4"),
		{"top-level unknown key in file", `{"ctids": "all", "config_file": "@DIR@/fleet.json"}`, map[string]string{"fleet.json": `{"lxc_config": {}}`}, []string{"lxc_config", `did you mean "lxc_configs"`}},
		{"hypervisor volume bad mount key", `{"ctids": "all", "config_file": "@DIR@/fleet.json", "hypervisor_config_file": "@DIR@/hv.json"}`,
			map[string]string{"fleet.json": `{"lxc_configs": {` + tpl + `}}`, "hv.json": `{"shared_volumes": {"data": {"host_path": "/srv/d", "mounts": {"abc": "/d"}}}}`},
			[]string{"shared_volumes.data.mounts.abc", "not a CTID"}},
		{"hypervisor volume onto a template", `{"ctids": "all", "config_file": "@DIR@/fleet.json", "hypervisor_config_file": "@DIR@/hv.json"}`,
			map[string]string{"fleet.json": `{"lxc_configs": {` + tpl + `}}`, "hv.json": `{"shared_volumes": {"data": {"host_path": "/srv/d", "mounts": {"9000": "/d"}}}}`},
			[]string{"lxc_configs.9000.template_snapshot_name", "bind mount"}},
	}
}

func TestBadInputsFailWithPath(t *testing.T) {
	cases := badInputs()
	cases[6] = bad{"unknown option with hint", `{"ctid": 100, "confg_file": "/x", "container": {"name": "a", "template": "t"}}`, nil, []string{"confg_file", `did you mean "config_file"`}}
	cases[10] = bad{"state not an enum", `{"ctid": 100, "state": "running", "container": {"name": "a", "template": "t"}}`, nil, []string{"state", "must be one of"}}
	if len(cases) < 40 {
		t.Fatalf("only %d bad inputs", len(cases))
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			t.Fatalf("duplicate case name %q", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			f := &fake{}
			obj, code, _ := runArgs(t, c.args, c.files, f.deps())
			if code != 1 || obj["failed"] != true {
				t.Fatalf("want failed:true and exit 1, got exit %d: %v", code, obj)
			}
			msg, _ := obj["msg"].(string)
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("msg lacks %q:\n%s", w, msg)
				}
			}
			if f.opened || f.req != nil {
				t.Error("a backend was opened or the pipeline ran on invalid input")
			}
		})
	}
}

// All problems of an input are reported together, not just the first.
func TestAllProblemsReportedTogether(t *testing.T) {
	obj, code, _ := runArgs(t, `{"ctid": 9100, "stte": "x", "container": {"name": "a_b", "cores": 0, "template": "t"}}`, nil, (&fake{}).deps())
	if code != 1 {
		t.Fatal(obj)
	}
	msg := obj["msg"].(string)
	for _, w := range []string{"stte", "container.cores"} {
		if !strings.Contains(msg, w) {
			t.Errorf("msg lacks %q:\n%s", w, msg)
		}
	}
}
