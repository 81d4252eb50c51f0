package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/phoenix-hypervisor/phoenix_lxc/internal/backend"
	"github.com/phoenix-hypervisor/phoenix_lxc/internal/runner"
)

// FeatureScript is the host script that installs a feature into a container.
func FeatureScript(dir, feature string) string {
	return filepath.Join(dir, "phoenix_hypervisor_feature_install_"+feature+".sh")
}

// featuresStep runs each feature's host script once per script content; the
// content hash is recorded on the container, so a rerun skips it and a
// changed script runs again.
func featuresStep(ctx context.Context, x *converger) error {
	for i, f := range x.spec.Features {
		path := FeatureScript(x.req.FeatureScriptDir, f)
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("features[%d] %q: cannot read its host script: %v (set feature_script_dir)", i, f, err)
		}
		key, sum := "feature:"+f, hash(data)
		if x.st.Records[key] == sum {
			continue
		}
		argv := []string{path, strconv.Itoa(x.ctid)}
		run := backend.Action{Name: "feature", Argv: argv, Why: "feature " + f + " not applied with this script yet",
			Do: func(ctx context.Context) error {
				_, err := x.req.Runner.Run(ctx, runner.Cmd{Argv: argv})
				return err
			}}
		if err := x.apply(ctx, []backend.Action{run, x.req.Backend.Record(x.st, key, sum)}, nil); err != nil {
			return err
		}
	}
	return nil
}

// runDir is where the application script is pushed inside the container.
const runDir = "/tmp/phoenix_run"

// applicationStep pushes the application script and the container's spec
// (secrets removed) into the container, runs it, checks health, and records
// the hash of both, so an unchanged script does not run again.
func applicationStep(ctx context.Context, x *converger) error {
	name := x.spec.ApplicationScript
	if name == "" {
		return nil
	}
	script, err := os.ReadFile(filepath.Join(x.req.ApplicationScriptDir, name))
	if err != nil {
		return fmt.Errorf("application_script %q: %v (set application_script_dir)", name, err)
	}
	pub := x.spec.Clone()
	pub.Password, pub.SSHPublicKeys = "", nil
	cfg, _ := json.MarshalIndent(map[string]any{"lxc_configs": map[string]any{strconv.Itoa(x.ctid): pub}}, "", "  ")
	key, sum := "application:"+name, hash(append(append([]byte{}, script...), cfg...))
	if x.st.Records[key] == sum {
		return nil
	}
	b := x.req.Backend
	dest := runDir + "/" + name
	acts := []backend.Action{
		b.Exec(x.ctid, []string{"mkdir", "-p", runDir}, nil),
		b.Push(x.ctid, script, dest, "0755"),
		b.Push(x.ctid, cfg, runDir+"/phoenix_lxc_configs.json", "0600"),
		b.Exec(x.ctid, []string{dest, strconv.Itoa(x.ctid)}, nil),
	}
	if hc := x.spec.HealthCheck; hc != nil {
		acts = append(acts, healthCheck(x, hc.Command, hc.Retries, hc.Interval))
	}
	acts = append(acts, b.Exec(x.ctid, []string{"rm", "-rf", runDir}, nil), b.Record(x.st, key, sum))
	return x.apply(ctx, acts, nil)
}

// healthCheck runs the check command inside the container until it passes,
// at most 1+retries times, interval seconds apart (both bounded by the schema).
func healthCheck(x *converger, command string, retries, interval int) backend.Action {
	if retries == 0 {
		retries = 3
	}
	if interval == 0 {
		interval = 5
	}
	argv := strings.Fields(command)
	try := x.req.Backend.Exec(x.ctid, argv, nil)
	try.Name, try.Why = "health_check", fmt.Sprintf("up to %d tries, %ds apart", retries+1, interval)
	do := try.Do
	try.Do = func(ctx context.Context) error {
		var err error
		for i := 0; i <= retries; i++ {
			if err = do(ctx); err == nil {
				return nil
			}
			if i < retries {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(time.Duration(interval) * time.Second):
				}
			}
		}
		return fmt.Errorf("health_check failed after %d tries: %w", retries+1, err)
	}
	return try
}

func hash(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}
