// Package lsp proves that the config's JSON Schema works in a real editor's language server:
// it drives yaml-language-server (the one behind VS Code's YAML extension, installed by
// test/node's package-lock.json) over stdio, as an editor would, with configs that name the
// schema in a `# yaml-language-server: $schema=` modeline.
package lsp

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ioroute/ioroute/actions"
	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/testutil"
	"github.com/ioroute/ioroute/schema"
)

const modeline = "# yaml-language-server: $schema=ioroute.schema.json\n"

// The documents the editor opens: one with mistakes, and two with the cursor where a user
// asks for completion (marked |, which is removed).
const (
	mistakes = modeline + `version: 1
namespaces:
  /chat:
    on:
      message:
        - broadcast:
            event: new-message
            include_self: "no"
        - emitt: { event: x }
`
	atStep = modeline + `version: 1
namespaces:
  /chat:
    on:
      message:
        - |
`
	inEmit = modeline + `version: 1
namespaces:
  /chat:
    on:
      message:
        - emit:
            event: x
            |
`
)

// cursor returns doc without its | and the position of the |.
func cursor(doc string) (string, position) {
	i := strings.Index(doc, "|")
	before := doc[:i]
	line := strings.Count(before, "\n")
	return before + doc[i+1:], position{Line: line, Character: i - (strings.LastIndex(before, "\n") + 1)}
}

// lineOf is the 0-based line of the first line of doc containing s.
func lineOf(doc, s string) int {
	return strings.Count(doc[:strings.Index(doc, s)], "\n")
}

func TestSchemaInYAMLLanguageServer(t *testing.T) {
	node, server := testutil.NodeScript(t, filepath.Join("..", "node", "node_modules", "yaml-language-server", "bin", "yaml-language-server"))
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ioroute.schema.json"), schema.File, 0o644); err != nil {
		t.Fatal(err)
	}
	yamlSettings := map[string]any{"validate": true, "hover": true, "completion": true, "schemaStore": map[string]any{"enable": false}}
	c := start(t, map[string]any{"yaml": yamlSettings}, node, server, "--stdio")
	root := (&url.URL{Scheme: "file", Path: dir}).String()
	c.call("initialize", map[string]any{
		"processId": os.Getpid(), "rootUri": root,
		"capabilities": map[string]any{
			"textDocument": map[string]any{
				"completion":         map[string]any{"completionItem": map[string]any{"snippetSupport": true, "documentationFormat": []string{"markdown", "plaintext"}}},
				"hover":              map[string]any{"contentFormat": []string{"markdown", "plaintext"}},
				"publishDiagnostics": map[string]any{},
			},
			"workspace": map[string]any{"configuration": true},
		},
	})
	c.notify("initialized", map[string]any{})
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"yaml": yamlSettings}})

	open := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		uri := (&url.URL{Scheme: "file", Path: path}).String()
		c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "yaml", "version": 1, "text": text}})
		return uri
	}

	t.Run("an unknown action and a wrong type are diagnostics at their lines", func(t *testing.T) {
		uri := open("mistakes.yaml", mistakes)
		typeLine, actionLine := lineOf(mistakes, "include_self"), lineOf(mistakes, "emitt")
		at := func(ds []diagnostic, line int, words ...string) bool {
			for _, d := range ds {
				if d.Range.Start.Line != line {
					continue
				}
				all := true
				for _, w := range words {
					all = all && strings.Contains(strings.ToLower(d.Message), w)
				}
				if all {
					return true
				}
			}
			return false
		}
		ds := c.waitDiagnostics(uri, func(ds []diagnostic) bool {
			return at(ds, typeLine, "boolean") && at(ds, actionLine, "emitt")
		})
		for _, d := range ds {
			t.Logf("line %d: %s", d.Range.Start.Line+1, d.Message)
		}
	})

	t.Run("completion at a step offers the action names", func(t *testing.T) {
		text, pos := cursor(atStep)
		uri := open("step.yaml", text)
		labels := complete(t, c, uri, pos)
		t.Logf("offered: %v", keys(labels))
		for _, name := range actions.Names() {
			if !labels[name] {
				t.Errorf("no completion %q at a step; offered %v", name, keys(labels))
			}
		}
	})

	t.Run("completion inside emit offers its fields", func(t *testing.T) {
		text, pos := cursor(inEmit)
		uri := open("emit.yaml", text)
		labels := complete(t, c, uri, pos)
		t.Logf("offered: %v", keys(labels))
		for _, f := range emitSpec(t).Fields {
			if f.Name != "event" && !labels[f.Name] { // event is written already
				t.Errorf("no completion %q inside emit; offered %v", f.Name, keys(labels))
			}
		}
	})

	t.Run("hover on include_self shows its doc", func(t *testing.T) {
		uri := open("hover.yaml", mistakes)
		line := lineOf(mistakes, "include_self")
		col := strings.Index(strings.Split(mistakes, "\n")[line], "include_self") + 3
		raw := c.call("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": uri}, "position": position{line, col}})
		f, _ := config.Lookup(emitSpec(t).Fields, "include_self")
		t.Logf("hover: %s", raw)
		if !strings.Contains(string(raw), f.Doc) {
			t.Fatalf("hover shows %s\nwant the doc %q", raw, f.Doc)
		}
	})
}

func emitSpec(t *testing.T) *actions.Spec {
	for _, s := range actions.Specs() {
		if s.Name == "emit" {
			return s
		}
	}
	t.Fatal("no emit action")
	return nil
}

// complete asks for completion at pos and returns the labels offered.
func complete(t *testing.T, c *client, uri string, pos position) map[string]bool {
	t.Helper()
	raw := c.call("textDocument/completion", map[string]any{"textDocument": map[string]any{"uri": uri}, "position": pos})
	var list struct {
		Items []struct {
			Label string `json:"label"`
		} `json:"items"`
	}
	if err := json.Unmarshal(raw, &list); err != nil || len(list.Items) == 0 {
		var items []struct {
			Label string `json:"label"`
		}
		_ = json.Unmarshal(raw, &items)
		list.Items = items
	}
	out := map[string]bool{}
	for _, it := range list.Items {
		out[it.Label] = true
	}
	return out
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestSchemaFromSettings: without a modeline, VS Code's `yaml.schemas` setting (README) maps
// configs to the schema, test files excepted.
func TestSchemaFromSettings(t *testing.T) {
	node, server := testutil.NodeScript(t, filepath.Join("..", "node", "node_modules", "yaml-language-server", "bin", "yaml-language-server"))
	dir := t.TempDir()
	schemaPath := filepath.Join(dir, "ioroute.schema.json")
	if err := os.WriteFile(schemaPath, schema.File, 0o644); err != nil {
		t.Fatal(err)
	}
	yamlSettings := map[string]any{"validate": true, "schemaStore": map[string]any{"enable": false},
		"schemas": map[string]any{schemaPath: []string{"**/*.yaml", "!**/*.test.yaml"}}}
	c := start(t, map[string]any{"yaml": yamlSettings}, node, server, "--stdio")
	c.call("initialize", map[string]any{"processId": os.Getpid(), "rootUri": (&url.URL{Scheme: "file", Path: dir}).String(),
		"capabilities": map[string]any{"workspace": map[string]any{"configuration": true}}})
	c.notify("initialized", map[string]any{})
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"yaml": yamlSettings}})
	text := strings.TrimPrefix(mistakes, modeline)
	for _, name := range []string{"app.yaml", "app.test.yaml"} {
		uri := (&url.URL{Scheme: "file", Path: filepath.Join(dir, name)}).String()
		c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": "yaml", "version": 1, "text": text}})
	}
	c.waitDiagnostics((&url.URL{Scheme: "file", Path: filepath.Join(dir, "app.yaml")}).String(), func(ds []diagnostic) bool {
		for _, d := range ds {
			if strings.Contains(d.Message, "emitt") {
				return true
			}
		}
		return false
	})
	// published at all: an empty list, not none
	testDiags := c.waitDiagnostics((&url.URL{Scheme: "file", Path: filepath.Join(dir, "app.test.yaml")}).String(),
		func(ds []diagnostic) bool { return ds != nil })
	for _, d := range testDiags {
		if strings.Contains(d.Message, "emitt") {
			t.Errorf("the config schema applied to a test file: %s", d.Message)
		}
	}
}
