package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The committed schema files must be exactly what go generate writes now:
// a change to the Go types without go generate ./... fails here.
func TestCommittedSchemasMatchTypes(t *testing.T) {
	files, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("generated %d files, want 2", len(files))
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("..", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("schema/%s is stale: run go generate ./... and commit the result", name)
		}
	}
}
