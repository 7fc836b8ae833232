package schema

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ioroute/ioroute/config"
)

// TestCommittedTestsSchemaIsCurrent fails when schema/ioroute.tests.schema.json no longer
// matches config/testfile's fields. Regenerate with: IOROUTE_UPDATE_SCHEMA=1 go test ./schema
func TestCommittedTestsSchemaIsCurrent(t *testing.T) {
	want := GenerateTests()
	if os.Getenv("IOROUTE_UPDATE_SCHEMA") == "1" {
		if err := os.WriteFile("ioroute.tests.schema.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(TestsFile, want) {
		t.Fatal("schema/ioroute.tests.schema.json is stale; regenerate it with IOROUTE_UPDATE_SCHEMA=1 go test ./schema")
	}
}

func testsSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(TestsFile))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(TestsID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(TestsID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validateTests(t *testing.T, s *jsonschema.Schema, name string, src []byte) error {
	t.Helper()
	root, err := config.ParseTree(name, src)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(root.Plain())
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return s.Validate(inst)
}

// TestTestsSchemaAcceptsShippedTests keeps the schema in step with what `ioroute test` reads:
// every shipped test file (the examples' and the starter's) is valid under it.
func TestTestsSchemaAcceptsShippedTests(t *testing.T) {
	s := testsSchema(t)
	files, _ := filepath.Glob(filepath.Join("..", "examples", "*", "*.test.yaml"))
	files = append(files, filepath.Join("..", "cmd", "ioroute", "starter", "app.test.yaml"))
	if len(files) < 10 {
		t.Fatalf("found only %d test files: %v", len(files), files)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := validateTests(t, s, f, src); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestTestsSchemaRejects(t *testing.T) {
	s := testsSchema(t)
	for _, tc := range []struct{ name, src, want string }{
		{"unknown step kind", "tests:\n  - name: x\n    steps:\n      - emitt: { client: a, event: e }\n", "emitt"},
		{"unknown top key", "tset: []\n", "tset"},
		{"bad protocol", "tests:\n  - name: x\n    clients: { a: { protocol: 2 } }\n    steps: []\n", "protocol"},
		{"expect word", "tests:\n  - name: x\n    steps:\n      - expect: { a: nothin }\n", "expect"},
		{"emit field", "tests:\n  - name: x\n    steps:\n      - emit: { client: a, event: e, dta: 1 }\n", "dta"},
		{"stub without a method", "calls:\n  http://s.test/x: { status: 201 }\ntests: []\n", "http://s.test/x"},
		{"stub field", "calls:\n  GET http://s.test/x: { stauts: 201 }\ntests: []\n", "stauts"},
		{"called without a method", "tests:\n  - name: x\n    steps:\n      - called: http://s.test/x\n", "called"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := validateTests(t, s, "x.test.yaml", []byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error about %q", err, tc.want)
			}
		})
	}
}
