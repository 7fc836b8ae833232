package actions

import (
	"testing"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// compileTest compiles a YAML list of steps in scope, failing the test on any error.
func compileTest(t *testing.T, scope tmpl.Scope, steps string) Steps {
	t.Helper()
	f, err := config.Parse("t.yaml", []byte("version: 1\nnamespaces: {}\nsteps: "+steps+"\n"))
	if f == nil {
		t.Fatal(err)
	}
	var errs config.Errors
	compiled, _ := Compile(config.ParseSteps(f.Root.Get("steps"), &errs), scope, &errs)
	if err := errs.Err(); err != nil {
		t.Fatalf("%s: %v", steps, err)
	}
	return compiled
}

// TestFlowObject: the object an error suggests is written so that YAML reads it back as the
// same object.
func TestFlowObject(t *testing.T) {
	tests := []struct{ in, want string }{
		{"{ ok: true }", "{ ok: true }"},
		{"{a: 1, b: [x, 2.5, null], c: {d: e}}", "{ a: 1, b: [x, 2.5, null], c: { d: e } }"},
		{`{msg: "a: b", n: "5", t: "true", e: "", s: "${{ data }}"}`, `{ msg: "a: b", n: "5", t: "true", e: "", s: "${{ data }}" }`},
		{"{long: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, b: 1}", "{ long: ... }"},
	}
	for _, tt := range tests {
		f, err := config.Parse("t.yaml", []byte("version: 1\nnamespaces: {}\nv: "+tt.in+"\n"))
		if f == nil {
			t.Fatal(err)
		}
		if got := flowObject(f.Root.Get("v")); got != tt.want {
			t.Errorf("flowObject(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
