package lxc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// writeAtomic replaces path with data: a temporary file in the same
// directory, synced, then renamed over path, so a reader (or a run killed
// half way) sees the old file or the new one, never a mix.
func writeAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// readRecords reads a records file (a JSON object of strings); a missing
// file is an empty map.
func readRecords(path string) (map[string]string, error) {
	out := map[string]string{}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read records %s: %w", path, err)
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("records %s is not a JSON object of strings (%v); fix or remove it", path, err)
	}
	return out, nil
}

// writeRecords stores m as sorted, indented JSON.
func writeRecords(path string, m map[string]string) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(path, append(data, '\n'), 0o600)
}

// readPending returns the config keys waiting for a restart.
func readPending(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return strings.Fields(string(data))
}

// addPending adds keys to the pending file, keeping it sorted and unique.
func addPending(path string, keys []string) error {
	set := map[string]bool{}
	for _, k := range append(readPending(path), keys...) {
		set[k] = true
	}
	var all []string
	for k := range set {
		all = append(all, k)
	}
	sort.Strings(all)
	return writeAtomic(path, []byte(strings.Join(all, "\n")+"\n"), 0o600)
}

// copyFileIfExists copies src to dst atomically; a missing src is no error.
func copyFileIfExists(src, dst string) error {
	data, err := os.ReadFile(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return writeAtomic(dst, data, 0o600)
}
