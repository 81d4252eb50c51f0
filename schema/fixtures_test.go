package schema

import (
	"os"
	"path/filepath"
	"testing"
)

const sharedFixtures = "../../shared/fixtures/phoenix"

// The original orchestrator's files must load unchanged, with their oddities
// (clone_from_ctid "900", feature ollama, firewall without rules, empty
// pct_options, vllm_* settings, a $schema key).
func TestSharedFixturesValidate(t *testing.T) {
	cfg := filepath.Join(sharedFixtures, "phoenix_lxc_configs.json")
	if _, err := os.Stat(cfg); err != nil {
		t.Skip("shared fixtures not present:", err)
	}
	hv := filepath.Join(sharedFixtures, "phoenix_hypervisor_config.json")
	cf, warnings, err := LoadConfigFile(cfg, hv)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(cf.LXCConfigs); got != 13 {
		t.Errorf("containers: got %d, want 13", got)
	}
	if c := cf.LXCConfigs["901"].CloneFromCTID; c == nil || *c != 900 {
		t.Errorf("901 clone_from_ctid: got %v, want 900", c)
	}
	vols := cf.LXCConfigs["953"].SharedVolumes
	if len(vols) != 3 {
		t.Fatalf("953 shared volumes after merge: got %+v, want ssl, nginx sites, nginx logs", vols)
	}
	if vols[0].Owner != "0:0" || vols[0].Mode != "" {
		t.Errorf("merged volume: got owner %q mode %q, want 0:0 and empty (leave mode alone)", vols[0].Owner, vols[0].Mode)
	}
	if len(warnings) != 1 {
		t.Errorf("warnings: got %q, want one for the firewall entry without host_path", warnings)
	}
}

func TestOwnFixturesValidate(t *testing.T) {
	cf, warnings, err := LoadConfigFile("../testdata/fleet.json", "../testdata/hypervisor.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings: %q", warnings)
	}
	if n := len(cf.LXCConfigs["9101"].SharedVolumes); n != 2 {
		t.Errorf("9101 shared volumes after merge: got %d, want 2", n)
	}
}
