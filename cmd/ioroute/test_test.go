package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitOutputValidatesAndPasses: what `ioroute init` writes is a valid config whose test
// passes, with schemas beside it that its modelines name.
func TestInitOutputValidatesAndPasses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "app")
	code, stdout, stderr := run("init", dir)
	if code != 0 || !strings.Contains(stdout, "ioroute test "+dir) {
		t.Fatalf("init: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, f := range []string{"app.yaml", "app.test.yaml", "index.html", "ioroute.schema.json", "ioroute.tests.schema.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("init did not write %s", f)
		}
	}
	app, _ := os.ReadFile(filepath.Join(dir, "app.yaml"))
	if !strings.HasPrefix(string(app), "# yaml-language-server: $schema=ioroute.schema.json\n") {
		t.Errorf("app.yaml does not start with the schema modeline:\n%s", app)
	}
	page, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	if !strings.Contains(string(page), `<script src="/socket.io/socket.io.min.js"></script>`) {
		t.Error("index.html does not load the served client")
	}
	if code, stdout, stderr := run("validate", filepath.Join(dir, "app.yaml")); code != 0 {
		t.Fatalf("validate: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = run("test", dir)
	if code != 0 || !strings.Contains(stdout, "4 passed, 0 failed") {
		t.Fatalf("test: exit %d\n%s%s", code, stdout, stderr)
	}
	// a second init would overwrite
	if code, _, stderr := run("init", dir); code != 1 || !strings.Contains(stderr, "already exists") {
		t.Fatalf("second init: exit %d, %s", code, stderr)
	}
}

const echoConfig = `version: 1
namespaces:
  /:
    on:
      ping:
        - emit: { event: pong, data: "${{ data }}" }
`

func TestTestCommand(t *testing.T) {
	for _, tc := range []struct {
		name       string
		test       string
		code       int
		wantOut    string
		wantErr    string
		notWantOut string
	}{
		{"passes", `tests:
  - name: echoes
    clients: { ann: / }
    steps:
      - connect: ann
      - emit: { client: ann, event: ping, data: hi }
      - expect: { ann: { event: pong, data: hi } }
`, 0, "ok   %DIR%/app.test.yaml: echoes (", "", ""},
		{"fails", `tests:
  - name: expects another echo
    timeout: 100ms
    clients: { ann: / }
    steps:
      - connect: ann
      - emit: { client: ann, event: ping, data: hi }
      - expect: { ann: { event: pong, data: bye } }
`, 1, "FAIL %DIR%/app.test.yaml: expects another echo", "", ""},
		{"bad input runs nothing", `tests:
  - name: never runs
    clients: { ann: / }
    steps:
      - conect: ann
`, 1, "", `%DIR%/app.test.yaml:5:9: tests[0].steps[0].conect: unknown step kind "conect"; did you mean "connect"?`, "passed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "app.yaml"), []byte(echoConfig), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "app.test.yaml"), []byte(tc.test), 0o644); err != nil {
				t.Fatal(err)
			}
			junit := filepath.Join(dir, "junit.xml")
			code, stdout, stderr := run("test", "--junit", junit, dir)
			fill := func(s string) string { return strings.ReplaceAll(s, "%DIR%", dir) }
			if code != tc.code || !strings.Contains(stdout, fill(tc.wantOut)) || !strings.Contains(stderr, fill(tc.wantErr)) ||
				(tc.notWantOut != "" && strings.Contains(stdout, tc.notWantOut)) {
				t.Fatalf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			if tc.wantErr == "" {
				x, err := os.ReadFile(junit)
				if err != nil || !strings.Contains(string(x), "<testsuites") {
					t.Errorf("junit: %v\n%s", err, x)
				}
			}
		})
	}
}

func TestSchemaTests(t *testing.T) {
	code, stdout, _ := run("schema", "--tests")
	if code != 0 || !strings.Contains(stdout, `"$id": "urn:ioroute:tests:v1"`) {
		t.Fatalf("exit %d\n%.200s", code, stdout)
	}
}
