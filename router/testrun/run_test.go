package testrun

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// examples is the repository's examples folder, seen from this package's.
var examples = filepath.Join("..", "..", "examples")

// TestExamplesPass runs every example's test file, as `make test` does.
func TestExamplesPass(t *testing.T) {
	suite, err := Load([]string{examples + "/..."})
	if err != nil {
		t.Fatal(err)
	}
	tested := map[string]bool{}
	for _, f := range suite.Files {
		tested[filepath.Base(filepath.Dir(f.Test.Name))] = true
	}
	configs, _ := filepath.Glob(filepath.Join(examples, "*", "*.yaml"))
	for _, c := range configs {
		if dir := filepath.Base(filepath.Dir(c)); !tested[dir] {
			t.Errorf("examples/%s has no test file: every example ships one covering what examples/README.md promises", dir)
		}
	}
	var out bytes.Buffer
	rep := suite.Run(&out)
	if rep.Failed() > 0 {
		t.Fatalf("examples failed:\n%s", out.String())
	}
	t.Logf("%d tests in %s", len(rep.Results), rep.Elapsed)
}

// copyExample copies an example's config and test file to a temp folder, changing the config
// with edit, and returns the test file's path.
func copyExample(t *testing.T, dir, name string, edit func(string) string) string {
	t.Helper()
	tmp := t.TempDir()
	for _, f := range []string{name + ".yaml", name + ".test.yaml"} {
		src, err := os.ReadFile(filepath.Join(examples, dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == name+".yaml" {
			changed := edit(string(src))
			if changed == string(src) {
				t.Fatalf("the edit changed nothing in %s", f)
			}
			src = []byte(changed)
		}
		if err := os.WriteFile(filepath.Join(tmp, f), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(tmp, name+".test.yaml")
}

// TestChangedExampleFails changes one word of an example's config and checks that its test
// fails saying where, what was expected, what arrived, and which handler ran.
func TestChangedExampleFails(t *testing.T) {
	for _, tc := range []struct {
		name      string
		dir, file string
		from, to  string
		want      []string
	}{
		{"broadcast event renamed", "chat", "chat", "event: new-message", "event: new-massage", []string{
			"FAIL ",
			"chat.test.yaml:11:16: expect ann: no \"new-message\" event arrived within 1s",
			"ann received:\n         new-massage [\"hello\"]",
			"handler that ran: " + "%DIR%" + "chat.yaml:10:7 namespaces./chat.on.message (for ann's \"message\")",
			"0 passed, 2 failed",
		}},
		{"broadcast data changed", "05-broadcast", "broadcast", "data: ${{ data }}", "data: ${{ data.user }}", []string{
			"broadcast.test.yaml:14:16: expect ann: \"new-user\" arrived, but its data do not contain what is expected",
			"--- expected\n       +++ arrived\n         {\n       -   \"user\": {",
			"+   \"email\": \"ann@example.com\",",
			"handler that ran: %DIR%broadcast.yaml:13:7 namespaces./user.on.user-connected (for ann's \"user-connected\")",
		}},
		{"printed line changed", "06-connection-events", "connection-events", "print: Client connected", "print: Client joined", []string{
			"connection-events.test.yaml:9:18: printed: no line \"Client connected\" within 1s",
			"the config printed:\n         Client joined",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := copyExample(t, tc.dir, tc.file, func(s string) string { return strings.Replace(s, tc.from, tc.to, 1) })
			suite, err := Load([]string{path})
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			rep := suite.Run(&out)
			if rep.Failed() == 0 {
				t.Fatalf("the test passed against the changed config:\n%s", out.String())
			}
			for _, w := range tc.want {
				w = strings.ReplaceAll(w, "%DIR%", filepath.Dir(path)+string(filepath.Separator))
				if !strings.Contains(out.String(), w) {
					t.Errorf("the output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const echoConfig = `version: 1
namespaces:
  /:
    on:
      ping:
        - emit: { event: pong, data: "${{ data }}" }
`

// TestBadInputRunsNothing: a test file or config with a problem is reported at its position,
// and no test of any file runs.
func TestBadInputRunsNothing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"unknown step kind", map[string]string{"app.yaml": echoConfig, "app.test.yaml": `tests:
  - name: t
    clients: { ann: / }
    steps:
      - connect: ann
      - send: { client: ann, event: ping }
`}, `app.test.yaml:6:9: tests[0].steps[1].send: unknown step kind "send"`},
		{"unknown client", map[string]string{"app.yaml": echoConfig, "app.test.yaml": `tests:
  - name: t
    clients: { ann: / }
    steps:
      - connect: bob
`}, `app.test.yaml:5:18: tests[0].steps[0].connect: unknown client "bob"; this test has ann`},
		{"config does not validate", map[string]string{"app.yaml": strings.Replace(echoConfig, "emit:", "emitt:", 1), "app.test.yaml": `tests: []`},
			`app.yaml:6:11: namespaces./.on.ping[0].emitt: unknown action; did you mean "emit"?`},
		{"config missing", map[string]string{"app.test.yaml": `config: other.yaml
tests: []`}, `app.test.yaml:1:9: config: cannot read the config`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			suite, err := Load([]string{dir})
			if err == nil {
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), filepath.Join(dir, tc.want)) {
				t.Fatalf("got %v\nwant %s", err, filepath.Join(dir, tc.want))
			}
			if len(suite.Files) != 0 {
				t.Fatalf("%d files would run", len(suite.Files))
			}
		})
	}
}

// TestWaitEndsAtItsTimeout: an event that never comes fails the step after its own timeout.
func TestWaitEndsAtItsTimeout(t *testing.T) {
	dir := writeFiles(t, map[string]string{"app.yaml": echoConfig, "app.test.yaml": `tests:
  - name: waits for nothing that comes
    clients: { ann: / }
    steps:
      - connect: ann
      - emit: { client: ann, event: ping, data: 1 }
      - expect:
          ann: { event: never }
        timeout: 150ms
`})
	suite, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var out bytes.Buffer
	rep := suite.Run(&out)
	elapsed := time.Since(start)
	if rep.Failed() != 1 || !strings.Contains(out.String(), `app.test.yaml:8:16: expect ann: no "never" event arrived within 150ms`) ||
		!strings.Contains(out.String(), "pong [1]") {
		t.Fatalf("output:\n%s", out.String())
	}
	if elapsed > 5*time.Second {
		t.Fatalf("the failing wait took %s", elapsed)
	}
}

func TestJUnit(t *testing.T) {
	dir := writeFiles(t, map[string]string{"app.yaml": echoConfig, "app.test.yaml": `clients: { ann: / }
tests:
  - name: echoes
    steps:
      - connect: ann
      - emit: { client: ann, event: ping, data: hi }
      - expect: { ann: { event: pong, data: hi } }
  - name: expects another echo
    timeout: 100ms
    steps:
      - connect: ann
      - emit: { client: ann, event: ping, data: hi }
      - expect: { ann: { event: pong, data: bye } }
`})
	suite, err := Load([]string{filepath.Join(dir, "app.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	var out, x bytes.Buffer
	rep := suite.Run(&out)
	if !strings.HasSuffix(strings.TrimSpace(strings.Split(out.String(), "\n")[len(strings.Split(strings.TrimSpace(out.String()), "\n"))-1]), ")") ||
		!strings.Contains(out.String(), "1 passed, 1 failed") {
		t.Fatalf("output:\n%s", out.String())
	}
	if err := rep.WriteJUnit(&x); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(x.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tests != 2 || doc.Failures != 1 || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 2 {
		t.Fatalf("junit = %+v", doc)
	}
	c := doc.Suites[0].Cases[1]
	if c.Name != "expects another echo" || c.Failure == nil || c.Line != 8 || !strings.Contains(c.Failure.Message, `app.test.yaml:13:24: expect ann: "pong" arrived, but its data differ`) {
		t.Fatalf("failed case = %+v, failure %+v", c, c.Failure)
	}
}

func TestFind(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.yaml": echoConfig, "a.test.yaml": "", "b.yaml": echoConfig})
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "c.test.yml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args    []string
		want    []string
		wantErr string
	}{
		{[]string{dir}, []string{"a.test.yaml"}, ""},
		{[]string{dir + "/..."}, []string{"a.test.yaml", "sub/c.test.yml"}, ""},
		{[]string{filepath.Join(dir, "a.yaml")}, []string{"a.test.yaml"}, ""},
		{[]string{filepath.Join(dir, "a.test.yaml"), dir}, []string{"a.test.yaml"}, ""},
		{[]string{filepath.Join(dir, "b.yaml")}, nil, "no test file for this config; write its tests in " + filepath.Join(dir, "b.test.yaml")},
		{[]string{sub + "/x/..."}, nil, "no such file"},
	} {
		got, err := Find(tc.args)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Find(%v) error = %v, want %q", tc.args, err, tc.wantErr)
			}
			continue
		}
		var rel []string
		for _, g := range got {
			r, _ := filepath.Rel(dir, g)
			rel = append(rel, filepath.ToSlash(r))
		}
		if err != nil || strings.Join(rel, ",") != strings.Join(tc.want, ",") {
			t.Errorf("Find(%v) = %v, %v; want %v", tc.args, rel, err, tc.want)
		}
	}
}

// TestRedisOnlyWhenAsked: a config's Redis adapter is left out unless the test file says
// `redis: true` (here, a Redis that is not there makes the difference visible).
func TestRedisOnlyWhenAsked(t *testing.T) {
	config := strings.Replace(echoConfig, "namespaces:", "server:\n  adapter:\n    redis: { url: \"redis://127.0.0.1:1/0\" }\nnamespaces:", 1)
	test := `tests:
  - name: echoes
    clients: { ann: / }
    steps:
      - connect: ann
      - emit: { client: ann, event: ping, data: hi }
      - expect: { ann: { event: pong, data: hi } }
`
	for _, tc := range []struct {
		name, head, want string
		failed           int
	}{
		{"left out", "", "1 passed, 0 failed", 0},
		{"asked for", "redis: true\n", "cannot start the server", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"app.yaml": config, "app.test.yaml": tc.head + test})
			suite, err := Load([]string{dir})
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if rep := suite.Run(&out); rep.Failed() != tc.failed || !strings.Contains(out.String(), tc.want) {
				t.Fatalf("output:\n%s", out.String())
			}
		})
	}
}

// TestProtocol3: the runner's Engine.IO 3 client (socket.io-client 2's protocol) connects with
// the id the server gives it, acknowledges both ways and reads refusals.
func TestProtocol3(t *testing.T) {
	cfg, err := filepath.Abs(filepath.Join(examples, "cluster", "cluster.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := writeFiles(t, map[string]string{"p3.test.yaml": "config: " + cfg + `
tests:
  - name: protocol 3 ids, rooms, acks both ways, refusal
    clients:
      old: { namespace: /chat, protocol: 3 }
      ann: /chat
      lost: { namespace: /nope, protocol: 3 }
    steps:
      - connect: [old, ann]
      - printed: ["${{ old.id }} connected"]
      - emit: { client: old, event: join, data: news, ack: joined }
      - rooms: { old: [news] }
      - emit: { client: ann, event: ask, data: "${{ old.id }}" }
      - expect:
          old: { event: question, data: who, reply: old here }
      - expect:
          ann: { event: answer, data: old here }
      - refused: { client: lost, message: Invalid namespace }
      - disconnect: old
      - printed: ["${{ old.id }} disconnected"]
`})
	suite, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if rep := suite.Run(&out); rep.Failed() != 0 {
		t.Fatalf("output:\n%s", out.String())
	}
}

// TestRecoveryOffsetsAreNotData: with server.recovery on, every event the server sends without
// an acknowledgement ends with an offset (the wire of Node's connectionStateRecovery); a test
// file's expectations compare the event's data as the config sent it, so the chat example's
// test passes unchanged with recovery turned on.
func TestRecoveryOffsetsAreNotData(t *testing.T) {
	path := copyExample(t, "chat", "chat", func(s string) string {
		return strings.Replace(s, "server:\n", "server:\n  recovery: { max_disconnection: 1m }\n", 1)
	})
	suite, err := Load([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if rep := suite.Run(&out); rep.Failed() > 0 || len(rep.Results) == 0 {
		t.Fatalf("the chat example's test with recovery on:\n%s", out.String())
	}
}
