package testfile

import (
	"strings"
	"testing"
	"time"
)

// TestParseCalls: a test's stubs come before the file's and replace one of the same
// `METHOD URL`; a called step reads each form of request.
func TestParseCalls(t *testing.T) {
	src := `env: { STORE: http://store.test }
calls:
  GET ${{ env.STORE }}/rooms/*/messages: { body: [] }
  POST http://store.test/rooms/lobby/messages: { status: 201, body: { id: 7 }, headers: { X-Id: 7 } }
tests:
  - name: own stubs first
    clients: { ann: / }
    calls:
      POST http://store.test/rooms/lobby/messages: { fail: connection refused, delay: 50ms }
      DELETE http://store.test/x:
    steps:
      - connect: ann
      - called: GET http://store.test/rooms/lobby/messages
      - called:
          - POST http://store.test/rooms/lobby/messages: { body: { from: "${{ ann.id }}" }, headers: { Authorization: Bearer t } }
          - PUT http://store.test/y
          - DELETE http://store.test/x: { contains: { a: 1 } }
            PATCH http://store.test/z:
`
	f, err := Parse("x.test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tt := f.Tests[0]
	var keys []string
	for _, s := range tt.Calls {
		keys = append(keys, s.Key)
	}
	if got := strings.Join(keys, ", "); got != "POST http://store.test/rooms/lobby/messages, DELETE http://store.test/x, GET ${{ env.STORE }}/rooms/*/messages" {
		t.Fatalf("stubs in order: %s", got)
	}
	post, del := tt.Calls[0], tt.Calls[1]
	if post.Fail != "connection refused" || post.Delay != 50*time.Millisecond || post.Status != 200 || post.Body != nil {
		t.Errorf("the test's POST stub = %+v", post)
	}
	if del.Status != 200 || del.Body != nil || del.Fail != "" {
		t.Errorf("a stub written alone = %+v", del)
	}
	if url, _ := tt.Calls[2].URL.Resolve(nil, tt.Env); url != "http://store.test/rooms/*/messages" {
		t.Errorf("the file's GET stub's URL resolves to %v", url)
	}
	var called []string
	for _, s := range tt.Steps[1:] {
		for _, c := range s.Called {
			called = append(called, c.Key)
		}
	}
	if got := strings.Join(called, ", "); got != "GET http://store.test/rooms/lobby/messages, POST http://store.test/rooms/lobby/messages, "+
		"PUT http://store.test/y, DELETE http://store.test/x, PATCH http://store.test/z" {
		t.Fatalf("called: %s", got)
	}
	c := tt.Steps[2].Called[0]
	if c.Body == nil || c.Headers == nil || c.Contains != nil || c.Pos.Line != 15 {
		t.Errorf("the POST check = %+v", c)
	}
}

// TestParseCallErrors: each mistake in stubs or a called step is reported where it is, saying
// what to write.
func TestParseCallErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"no method", `
calls:
  http://store.test/x: { status: 201 }
tests: []
`, []string{`x.test.yaml:3:3: calls.http://store.test/x: expected ` + "`METHOD URL`" + `, as "GET http://store.test/rooms/lobby/messages"; got "http://store.test/x"`}},
		{"method in lower case", `
calls:
  post http://store.test/x: { status: 201 }
tests: []
`, []string{`x.test.yaml:3:3: calls.post http://store.test/x: unknown method "post"; write it in capitals, POST`}},
		{"unknown method", `
calls:
  FETCH http://store.test/x: { status: 201 }
tests: []
`, []string{`unknown method "FETCH"; use one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS`}},
		{"not a whole URL", `
calls:
  GET /rooms/lobby: { status: 201 }
tests: []
`, []string{`x.test.yaml:3:3: calls.GET /rooms/lobby: the URL "/rooms/lobby" is a whole URL, starting with http:// or https://`}},
		{"unknown stub field", `
calls:
  GET http://store.test/x: { stauts: 201 }
tests: []
`, []string{`x.test.yaml:3:30: calls.GET http://store.test/x.stauts: unknown field; did you mean "status"?`}},
		{"status out of range", `
calls:
  GET http://store.test/x: { status: 42 }
tests: []
`, []string{`an HTTP status is from 100 to 599, not 42`}},
		{"delay past the bound", `
calls:
  GET http://store.test/x: { delay: 1m }
tests: []
`, []string{`x.test.yaml:3:37: calls.GET http://store.test/x.delay: a delay is at most 10s: it is waited out in real time`}},
		{"fail with a reply", `
calls:
  GET http://store.test/x: { fail: refused, status: 500 }
tests: []
`, []string{`a stub that fails sends no reply, so it has no status: write fail or a reply, not both`}},
		{"a stub that is not a mapping", `
calls:
  GET http://store.test/x: 201
tests: []
`, []string{`x.test.yaml:3:28: calls.GET http://store.test/x: a stub answers with a mapping, as { status: 201, body: { id: 7 } }; got integer`}},
		{"a socket id in a stub", `
tests:
  - name: t
    clients: { ann: / }
    calls:
      GET http://store.test/users/${{ ann.id }}: { body: 1 }
    steps: []
`, []string{`a stub is in place before any client connects, so it may hold ${{ env.NAME }} but not ${{ ann.id }}`}},
		{"env not set in a stub", `
calls:
  GET http://store.test/x: { body: "${{ env.TOKEN }}" }
tests:
  - name: t
    steps: []
`, []string{`x.test.yaml:3:36: calls.GET http://store.test/x.body: env.TOKEN is not set`}},
		{"body and contains", `
tests:
  - name: t
    steps:
      - called: { POST http://store.test/x: { body: 1, contains: 1 } }
`, []string{`write one of body, contains, not body and contains`}},
		{"called with a number", `
tests:
  - name: t
    steps:
      - called: [7]
`, []string{`x.test.yaml:5:18: tests[0].steps[0].called[0]: expected ` + "`METHOD URL`" + `, as "GET http://store.test/rooms/lobby/messages"; got "7"`}},
		{"called with a list in a list", `
tests:
  - name: t
    steps:
      - called: [[GET http://store.test/x]]
`, []string{"x.test.yaml:5:18: tests[0].steps[0].called[0]: expected a request, `METHOD URL` or `METHOD URL: { body: ... }`; got list"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.test.yaml", []byte(tc.src))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got:\n%v\nwant a line containing:\n%s", err, w)
				}
			}
		})
	}
}
