package testfile

import (
	"strings"
	"testing"
	"time"
)

// TestParseErrors: each bad test file is reported at the right file:line:col, with a message
// that says what to write instead.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"unknown step kind", `
tests:
  - name: t
    clients: { ann: /chat }
    steps:
      - connect: ann
      - emitt: { client: ann, event: hi }
`, []string{`x.test.yaml:7:9: tests[0].steps[1].emitt: unknown step kind "emitt"; did you mean "emit"?; a step is one of connect, refused, emit, expect, printed, called, rooms, disconnect`}},
		{"unknown client in a step", `
tests:
  - name: t
    clients: { ann: /chat, bob: /chat }
    steps:
      - connect: [ann, bobb]
`, []string{`x.test.yaml:6:24: tests[0].steps[0].connect[1]: unknown client "bobb"; did you mean "bob"?; this test has ann, bob`}},
		{"unknown client in expect", `
tests:
  - name: t
    clients: { ann: /chat }
    steps:
      - connect: ann
      - expect: { carol: nothing }
`, []string{`x.test.yaml:7:19: tests[0].steps[1].expect.carol: unknown client "carol"; this test has ann`}},
		{"a client used before it connects", `
tests:
  - name: t
    clients: { ann: / }
    steps:
      - emit: { client: ann, event: hi }
`, []string{`x.test.yaml:6:25: tests[0].steps[0].emit.client: ann is not connected here; connect it first with ` + "`- connect: ann`"}},
		{"two step kinds", `
tests:
  - name: t
    clients: { ann: / }
    steps:
      - connect: ann
        disconnect: ann
`, []string{`x.test.yaml:7:9: tests[0].steps[0]: a step has exactly one step kind; found "connect" and "disconnect" (make them two steps)`}},
		{"data and args", `
tests:
  - name: t
    clients: { ann: / }
    steps:
      - connect: ann
      - emit: { client: ann, event: e, data: 1, args: [1] }
`, []string{`x.test.yaml:7:15: tests[0].steps[1].emit: write one of data, args, not data and args`}},
		{"bad placeholder", `
tests:
  - name: t
    clients: { ann: / }
    steps:
      - connect: ann
      - emit: { client: ann, event: e, data: "${{ ann.nick }}" }
`, []string{`x.test.yaml:7:46: tests[0].steps[1].emit.data: a test value may hold ${{ NAME.id }} (the socket id of client NAME) or ${{ env.NAME }}, not ${{ ann.nick }}`}},
		{"env variable not set", `
tests:
  - name: t
    clients: { ann: { jwt: { sub: ann } } }
    steps: []
`, []string{`x.test.yaml:4:28: tests[0].clients.ann.jwt.secret: env.JWT_SECRET is not set: add it under the test's or the file's env`}},
		{"bad protocol and namespace", `
tests:
  - name: t
    clients: { ann: { namespace: chat, protocol: 2 } }
    steps: []
`, []string{
			`x.test.yaml:4:21: tests[0].clients.ann: namespace names start with "/", as in "/chat"`,
			`x.test.yaml:4:50: tests[0].clients.ann.protocol: protocol is 4 (socket.io-client 3 and 4) or 3 (socket.io-client 2), not 2`,
		}},
		{"unknown expectation word", `
tests:
  - name: t
    clients: { ann: / }
    steps:
      - connect: ann
      - expect: { ann: nothin }
`, []string{`x.test.yaml:7:24: tests[0].steps[1].expect.ann: expected an event ({ event: name, data: ... }), a list of events, ` + "`nothing` or `disconnected`" + `; got "nothin"`}},
		{"missing name and steps", `
tests:
  - clients: { ann: / }
`, []string{`x.test.yaml:3:5: tests[0]: missing required field "name"`, `x.test.yaml:3:5: tests[0]: missing required field "steps"`}},
		{"YAML error", "tests:\n  - name: [\n", []string{"x.test.yaml:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.test.yaml", []byte(tc.src)) // line 1 is the blank line after the backquote
			if err == nil {
				t.Fatal("no error")
			}
			got := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("got:\n%s\nwant a line containing:\n%s", got, w)
				}
			}
		})
	}
}

func TestParse(t *testing.T) {
	src := `config: app.yaml
env: { JWT_SECRET: s }
clients:
  ann: /chat
tests:
  - name: works
    timeout: 2s
    clients:
      bob: { namespace: /chat, protocol: 3, auth: { nick: bob }, jwt: { sub: bob, expired: true } }
    steps:
      - connect: [ann, bob]
      - emit: { client: ann, event: hi, data: "${{ bob.id }}", ack: ok }
      - expect:
          bob: [{ event: hi }, { event: there, contains: { a: 1 } }]
          ann: nothing
        timeout: 50ms
      - printed: [a line, { json: 1 }]
      - rooms: { ann: lobby, bob: [] }
      - disconnect: bob
      - expect: { ann: disconnected }
      - refused: ann
`
	f, err := Parse("dir/app.test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if f.Config != "dir/app.yaml" {
		t.Errorf("config = %q", f.Config)
	}
	tt := f.Tests[0]
	if tt.Timeout != 2*time.Second || len(tt.Steps) != 8 || tt.Order[0] != "ann" || tt.Order[1] != "bob" {
		t.Fatalf("test = %+v", tt)
	}
	bob := tt.Clients["bob"]
	if bob.Protocol != 3 || bob.JWT == nil || !bob.JWT.Expired || bob.Namespace != "/chat" {
		t.Errorf("bob = %+v", bob)
	}
	ids := func(name string) (string, bool) { return "id-" + name, true }
	got, err := tt.Steps[1].Data.Resolve(ids, tt.Env)
	if err != nil || got != "id-bob" {
		t.Errorf("data resolves to %v, %v", got, err)
	}
	secret, _ := bob.JWT.Secret.Resolve(ids, tt.Env)
	if secret != "s" {
		t.Errorf("default secret resolves to %v", secret)
	}
	exp := tt.Steps[2]
	if exp.Timeout != 50*time.Millisecond || len(exp.Expect) != 2 || len(exp.Expect[0].Events) != 2 || !exp.Expect[1].Nothing {
		t.Errorf("expect = %+v", exp)
	}
}

func TestDefaultConfig(t *testing.T) {
	for in, want := range map[string]string{
		"chat.test.yaml":   "chat.yaml",
		"a/b.test.yml":     "a/b.yml",
		"odd.yaml":         "odd.yaml",
		"x.test.test.yaml": "x.test.yaml",
	} {
		if got := DefaultConfig(in); got != want {
			t.Errorf("DefaultConfig(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestExampleParses keeps the reference's example test files valid.
func TestExampleParses(t *testing.T) {
	for _, src := range []string{Example, CallsExample} {
		if _, err := Parse("chat.test.yaml", []byte(src)); err != nil {
			t.Fatal(err)
		}
	}
}
