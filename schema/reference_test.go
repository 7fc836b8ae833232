package schema

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ioroute/ioroute/actions"
	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// referencePath is docs/reference.md, seen from this package's folder.
var referencePath = filepath.Join("..", "docs", "reference.md")

// TestCommittedReferenceIsCurrent fails when docs/reference.md no longer matches the specs.
// Regenerate with: IOROUTE_UPDATE_DOCS=1 go test ./schema
func TestCommittedReferenceIsCurrent(t *testing.T) {
	want := Reference()
	if os.Getenv("IOROUTE_UPDATE_DOCS") == "1" {
		if err := os.MkdirAll(filepath.Dir(referencePath), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(referencePath, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("docs/reference.md is stale; regenerate it with IOROUTE_UPDATE_DOCS=1 go test ./schema")
	}
}

func TestReferenceIsDeterministic(t *testing.T) {
	first := Reference()
	for i := 0; i < 5; i++ {
		if !bytes.Equal(first, Reference()) {
			t.Fatal("Reference() differs between calls")
		}
	}
}

// TestReferenceDescribesEveryEnvName keeps envDocs in step with tmpl.Env.
func TestReferenceDescribesEveryEnvName(t *testing.T) {
	seen := map[string]bool{}
	for _, n := range envNames() {
		seen[n.path] = true
		if envDocs[n.path] == "" {
			t.Errorf("expression name %q has no description in envDocs", n.path)
		}
	}
	for name := range envDocs {
		if !seen[name] {
			t.Errorf("envDocs describes %q, which tmpl.Env does not have", name)
		}
	}
}

// TestReferenceNamesEveryType keeps typeNames, typeDocs and typeOrder in step with the specs.
func TestReferenceNamesEveryType(t *testing.T) {
	ordered := map[config.Type]bool{}
	for _, ty := range typeOrder {
		ordered[ty] = true
	}
	for ty := range usedTypes(actions.Specs()) {
		if typeNames[ty] == "" || typeDocs[ty] == "" || !ordered[ty] {
			t.Errorf("field type %q needs an entry in typeNames, typeDocs and typeOrder", ty)
		}
	}
}

func TestReferenceListsEveryAction(t *testing.T) {
	ref := string(Reference())
	for _, s := range actions.Specs() {
		if !strings.Contains(ref, "\n### "+s.Name+"\n") {
			t.Errorf("no section for action %s", s.Name)
		}
	}
}

// TestReferenceExamplesLoad checks that the layout example and every action's example are
// configs (or steps) that parse, validate against the schema and compile.
func TestReferenceExamplesLoad(t *testing.T) {
	loadExample(t, "layout", layoutExample)
	loadExample(t, "handlers", handlersExample)
	loadExample(t, "for_each", exampleHandler("example", forEachExample))
	for _, s := range actions.Specs() {
		if s.Example == "" {
			t.Errorf("action %s has no example", s.Name)
			continue
		}
		event := "example"
		if s.Name == "reject" {
			event = "connect" // reject belongs in connect handlers
		}
		loadExample(t, s.Name, exampleHandler(event, s.Example))
	}
}

// exampleHandler makes a config whose one handler, for event, is steps.
func exampleHandler(event, steps string) string {
	var src strings.Builder
	src.WriteString("version: 1\nnamespaces:\n  /example:\n    on:\n      " + event + ":\n")
	for _, line := range strings.Split(strings.TrimRight(steps, "\n"), "\n") {
		src.WriteString("        " + line + "\n")
	}
	return src.String()
}

// loadExample parses, validates and compiles a config the way table.LoadBytes does.
func loadExample(t *testing.T, name, src string) {
	t.Helper()
	f, err := config.Parse(name+".yaml", []byte(src))
	if err != nil {
		t.Errorf("%s example does not parse: %v\n%s", name, err, src)
		return
	}
	if err := Validate(f.Root); err != nil {
		t.Errorf("%s example fails the schema: %v\n%s", name, err, src)
	}
	var errs config.Errors
	for _, ns := range f.Namespaces {
		actions.CompileIn(ns.OnError, tmpl.Scopes{tmpl.EventScope: true, tmpl.ErrorScope: true}, &errs)
		for _, h := range ns.Handlers {
			scope := actions.ScopeFor(h.Event)
			actions.Compile(h.Steps, scope, &errs)
			actions.CompileIn(h.OnError, tmpl.Scopes{scope: true, tmpl.ErrorScope: true}, &errs)
			if h.When != nil {
				tmpl.CompileCondition(h.When, tmpl.Scopes{scope: true}, &errs)
			}
		}
	}
	if err := errs.Err(); err != nil {
		t.Errorf("%s example does not compile: %v\n%s", name, err, src)
	}
}
