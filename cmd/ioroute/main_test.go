package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ioroute/ioroute/config/testfile"
	"github.com/ioroute/ioroute/schema"
)

// write puts src in a file named name under a temp dir and returns its path.
func write(t *testing.T, name, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestValidateReportsEveryMistake is the "three mistakes, three positioned errors".
func TestValidateReportsEveryMistake(t *testing.T) {
	path := write(t, "chat.yaml", `version: 1
server:
  ping_interval: 25 seconds
namespaces:
  /chat:
    on:
      message:
        - broadcast:
            event: new-message
            data: ${{ dat }}
        - emitt: { event: x }
`)
	code, stdout, stderr := run("validate", path)
	want := path + `:3:18: server.ping_interval: bad duration "25 seconds": use a number with a unit, such as "300ms", "25s" or "1m"
` + path + `:10:23: namespaces./chat.on.message[0].broadcast.data: unknown name "dat"; did you mean "data"?
` + path + `:11:11: namespaces./chat.on.message[1].emitt: unknown action; did you mean "emit"?
`
	if code != 1 || stdout != "" || stderr != want {
		t.Fatalf("exit %d\nstdout %q\nstderr:\n%s\nwant:\n%s", code, stdout, stderr, want)
	}
}

func TestValidateSemanticErrors(t *testing.T) {
	tests := []struct {
		name  string
		steps string
		want  string
	}{
		{"unknown name inside text", `        - print: "hi ${{ data.name }} from ${{ sockt.id }}"`,
			`:6:48: namespaces./a.on.x[0].print: unknown name "sockt"; did you mean "socket"?`},
		{"when must be bool", "        - print: hi\n          when: len(args)",
			":7:17: namespaces./a.on.x[0].when: a when must be true or false, but this yields a number"},
		{"reason outside disconnect", `        - print: ${{ reason }}`,
			`:6:22: namespaces./a.on.x[0].print: "reason" is available only in disconnect handlers`},
		{"reply outside on_ack", `        - send: ${{ reply }}`,
			`:6:21: namespaces./a.on.x[0].send: "reply" is available only inside on_ack`},
		{"on_ack on a broadcast", "        - emit:\n            event: e\n            broadcast: true\n            on_ack: [print: ok]",
			`:9:21: namespaces./a.on.x[0].emit.on_ack: on_ack needs one target socket; a broadcast has many (emit to the sender or to one socket id)`},
		{"on_ack from another socket needs a timeout", "        - emit: { event: e, to: \"${{ data }}\", on_ack: [print: ok] }",
			":6:56: namespaces./a.on.x[0].emit.on_ack: an acknowledgement from another socket needs `timeout`, such as `timeout: 5s`"},
		{"reserved event emitted", `        - emit: { event: disconnecting }`,
			`:6:26: namespaces./a.on.x[0].emit.event: "disconnecting" is reserved by Socket.IO and cannot be emitted`},
		{"data and args", `        - emit: { event: e, data: 1, args: [1, 2] }`,
			`:6:44: namespaces./a.on.x[0].emit.args: use data (one argument) or args (several), not both`},
		{"missing event", `        - broadcast: { data: 1 }`,
			`:6:22: namespaces./a.on.x[0].broadcast: missing required field "event"`},
		{"unknown field", `        - join_room: { rooms: a }`,
			`:6:24: namespaces./a.on.x[0].join_room.rooms: unknown field; did you mean "room"?`},
		{"namespace without a target", `        - emit: { event: e, namespace: /b }`,
			"`:6:40: namespaces./a.on.x[0].emit.namespace: emitting to another namespace needs `to` (rooms or socket ids) or `broadcast: true`"[1:]},
		{"bad expression syntax", `        - print: ${{ data. }}`,
			`:6:26: namespaces./a.on.x[0].print: unexpected end of expression`},
		{"unterminated expression", `        - print: "${{ data"`,
			`:6:19: namespaces./a.on.x[0].print: unterminated ${{: add the closing }}; if the value holds ": " or sits in a { } mapping, quote it`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := write(t, "c.yaml", "version: 1\nnamespaces:\n  /a:\n    on:\n      x:\n"+tt.steps+"\n")
			code, _, stderr := run("validate", path)
			if want := path + tt.want + "\n"; code != 1 || stderr != want {
				t.Fatalf("exit %d, stderr:\n%s\nwant:\n%s", code, stderr, want)
			}
		})
	}
}

func TestValidateReservedHandler(t *testing.T) {
	path := write(t, "c.yaml", "version: 1\nnamespaces:\n  /a:\n    on:\n      connect_error:\n        - print: x\n")
	code, _, stderr := run("validate", path)
	if want := path + ":5:7: namespaces./a.on.connect_error: \"connect_error\" is reserved by Socket.IO and cannot be handled\n"; code != 1 || stderr != want {
		t.Fatalf("exit %d, stderr:\n%s\nwant:\n%s", code, stderr, want)
	}
}

func TestValidateGoodFiles(t *testing.T) {
	a := write(t, "a.yaml", "version: 1\nnamespaces:\n  /a:\n")
	b, err := filepath.Abs("../../examples/chat/chat.yaml")
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run("validate", a, b)
	if code != 0 || stderr != "" || stdout != a+": ok\n"+b+": ok\n" {
		t.Fatalf("exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
}

func TestSchemaCommandPrintsCommittedSchema(t *testing.T) {
	code, stdout, _ := run("schema")
	if code != 0 || stdout != string(schema.File) {
		t.Fatalf("exit %d; schema output differs from schema/ioroute.schema.json", code)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{nil, {"frobnicate"}, {"validate"}, {"run"}, {"run", "--log-format", "xml", "x.yaml"}} {
		code, _, stderr := run(args...)
		if code != 2 || stderr == "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
	if code, _, stderr := run("run", "/nonexistent/c.yaml"); code != 1 || !strings.Contains(stderr, "no such file") {
		t.Fatalf("missing file: exit %d, stderr %q", code, stderr)
	}
}

// TestReadmeConfigsValidate keeps the README's YAML examples true.
func TestReadmeConfigsValidate(t *testing.T) {
	// read at load by the Backends section's config
	t.Setenv("IOROUTE_API_KEY", "validate-only")
	t.Setenv("BACKEND_URL", "http://127.0.0.1:8080")
	// read at load by the Admin UI section's config: a bcrypt hash of "s3cret"
	t.Setenv("IOROUTE_ADMIN_HASH", "$2a$04$35TQGQ9C6MKKwAMez2Xsc.xZN4kLdzgA7I2qABWoq/YTy4tL5o0Xy")
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(readme), "```yaml\n")[1:]
	if len(blocks) == 0 {
		t.Fatal("README has no yaml examples")
	}
	for i, b := range blocks {
		src, _, _ := strings.Cut(b, "```")
		if first, _, _ := strings.Cut(src, "\n"); strings.HasSuffix(first, ".test.yaml") {
			// a test file of `ioroute test`, as its first line says
			if _, err := testfile.Parse("readme.test.yaml", []byte(src)); err != nil {
				t.Errorf("README yaml block %d is not a valid test file:\n%v", i+1, err)
			}
			continue
		}
		path := write(t, "readme.yaml", src)
		if code, _, stderr := run("validate", path); code != 0 {
			t.Errorf("README yaml block %d does not validate:\n%s", i+1, stderr)
		}
	}
}

func TestTokenCommand(t *testing.T) {
	code, stdout, stderr := run("token", "--secret", "s", "--sub", "ann", "--aud", "chat", "--ttl", "1m")
	if code != 0 || stderr != "" || strings.Count(stdout, ".") != 2 {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	path := write(t, "c.yaml", "version: 1\nnamespaces:\n  /a:\n    on:\n      connect:\n        - reject: bad\n          when: jwt(auth.token, \"s\", \"chat\") == nil\n")
	if code, _, stderr := run("validate", path); code != 0 {
		t.Fatalf("validate: %s", stderr)
	}
	if code, _, _ := run("token"); code != 2 {
		t.Fatalf("token without --secret: exit %d", code)
	}
}
