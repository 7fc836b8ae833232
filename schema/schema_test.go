package schema

import (
	"bytes"
	"os"
	"testing"
)

// TestCommittedSchemaIsCurrent fails when schema/ioroute.schema.json no longer matches the specs.
// Regenerate with: IOROUTE_UPDATE_SCHEMA=1 go test ./schema
func TestCommittedSchemaIsCurrent(t *testing.T) {
	want := Generate()
	if os.Getenv("IOROUTE_UPDATE_SCHEMA") == "1" {
		if err := os.WriteFile("ioroute.schema.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile("ioroute.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("schema/ioroute.schema.json is stale; regenerate it with IOROUTE_UPDATE_SCHEMA=1 go test ./schema")
	}
}

func TestSchemaCompiles(t *testing.T) {
	if _, err := compiled(); err != nil {
		t.Fatal(err)
	}
}
