package testrun

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ioroute/ioroute/actions"
	"github.com/ioroute/ioroute/config/testfile"
)

func TestURLMatches(t *testing.T) {
	for _, tc := range []struct {
		pattern, url string
		ok           bool
	}{
		{"http://s.test/rooms/lobby/messages", "http://s.test/rooms/lobby/messages", true},
		{"http://s.test/rooms/lobby/messages", "http://s.test/rooms/lobby/messages?x=1", false},
		{"http://s.test/rooms/lobby", "http://s.test/rooms/lobby/messages", false},
		{"http://s.test/rooms/*/messages", "http://s.test/rooms/lobby/messages", true},
		{"http://s.test/rooms/*/messages", "http://s.test/rooms/..%2Fadmin/messages", true},
		{"http://s.test/rooms/*/messages", "http://s.test/rooms/a/b/messages", true},
		{"http://s.test/rooms/*/messages", "http://s.test/rooms/lobby/users", false},
		{"http://s.test/history*", "http://s.test/history", true},
		{"http://s.test/history*", "http://s.test/history?before=7", true},
		{"http://s.test/auth?token=*", "http://s.test/auth?token=abc", true},
		{"http://s.test/auth?token=*", "http://s.test/auth", false},
		{"*/messages", "http://s.test/rooms/x/messages", true},
		{"http://s.test/*/*/messages", "http://s.test/rooms/messages", false},
		{"http://s.test/a*a", "http://s.test/a", false},
		{"http://s.test/a*a", "http://s.test/aa", true},
		{"*", "http://anything", true},
		{"https://s.test/x", "http://s.test/x", false},
	} {
		if got := urlMatches(tc.pattern, tc.url); got != tc.ok {
			t.Errorf("urlMatches(%q, %q) = %v", tc.pattern, tc.url, got)
		}
	}
}

func TestCallWantMatches(t *testing.T) {
	req := &request{
		method: "POST",
		url:    "http://s.test/rooms/lobby/messages",
		header: http.Header{"Authorization": {"Bearer t"}, "Content-Type": {"application/json"}},
		body:   map[string]any{"from": "ann", "text": "hello", "n": 1.0},
	}
	for _, tc := range []struct {
		name string
		want callWant
		ok   bool
	}{
		{"method and URL", callWant{method: "POST", url: "http://s.test/rooms/lobby/messages"}, true},
		{"another method", callWant{method: "PUT", url: "http://s.test/rooms/lobby/messages"}, false},
		{"a pattern", callWant{method: "POST", url: "http://s.test/rooms/*"}, true},
		{"the whole body, YAML numbers", callWant{method: "POST", url: "*", hasBody: true, body: map[string]any{"from": "ann", "text": "hello", "n": 1}}, true},
		{"part of the body as body", callWant{method: "POST", url: "*", hasBody: true, body: map[string]any{"text": "hello"}}, false},
		{"part of the body as contains", callWant{method: "POST", url: "*", hasContains: true, contains: map[string]any{"text": "hello"}}, true},
		{"contains another value", callWant{method: "POST", url: "*", hasContains: true, contains: map[string]any{"text": "bye"}}, false},
		{"a body expected to be null", callWant{method: "POST", url: "*", hasBody: true}, false},
		{"a header in any case", callWant{method: "POST", url: "*", headers: map[string]string{"authorization": "Bearer t"}}, true},
		{"a header's other value", callWant{method: "POST", url: "*", headers: map[string]string{"Authorization": "Bearer u"}}, false},
		{"a header not sent", callWant{method: "POST", url: "*", headers: map[string]string{"X-Id": ""}}, false},
	} {
		if got := tc.want.matches(req); got != tc.ok {
			t.Errorf("%s: matches = %v", tc.name, got)
		}
	}
}

// TestCalledFailure: a called step that fails says which request it missed and why, with a
// diff against the nearest request to the same method and URL, or the requests made.
func TestCalledFailure(t *testing.T) {
	post := request{method: "POST", url: "http://s.test/rooms/lobby/messages", stub: "POST http://s.test/rooms/*/messages",
		header: http.Header{"Authorization": {"Bearer t"}}, body: map[string]any{"from": "ann", "text": "hello"}}
	get := request{method: "GET", url: "http://s.test/rooms/lobby/messages?limit=5"}
	for _, tc := range []struct {
		name        string
		want        callWant
		reqs        []request
		after       int
		msg, detail string
	}{
		{"another body",
			callWant{key: "POST http://s.test/rooms/*/messages", method: "POST", url: "http://s.test/rooms/*/messages", hasBody: true, body: map[string]any{"from": "ann", "text": "hi"}},
			[]request{get, post}, 0,
			"called: POST http://s.test/rooms/lobby/messages was called, but its body differs",
			"--- expected\n+++ arrived\n  {\n    \"from\": \"ann\",\n-   \"text\": \"hi\"\n+   \"text\": \"hello\"\n  }"},
		{"a body that does not contain",
			callWant{key: "POST http://s.test/rooms/lobby/messages", method: "POST", url: "http://s.test/rooms/lobby/messages", hasContains: true, contains: map[string]any{"room": "lobby"}},
			[]request{post}, 0,
			"called: POST http://s.test/rooms/lobby/messages was called, but its body does not contain what is expected",
			"--- expected\n+++ arrived\n  {\n-   \"room\": \"lobby\"\n+   \"from\": \"ann\",\n+   \"text\": \"hello\"\n  }"},
		{"another header",
			callWant{key: "POST http://s.test/rooms/lobby/messages", method: "POST", url: "http://s.test/rooms/lobby/messages", headers: map[string]string{"Authorization": "Bearer u"}},
			[]request{post}, 0,
			"called: POST http://s.test/rooms/lobby/messages was called, but its headers differ",
			"--- expected\n+++ arrived\n  {\n-   \"Authorization\": \"Bearer u\"\n+   \"Authorization\": \"Bearer t\"\n  }"},
		{"no such request",
			callWant{key: "DELETE http://s.test/rooms/lobby", method: "DELETE", url: "http://s.test/rooms/lobby"},
			[]request{get, post}, 0,
			"called: no DELETE http://s.test/rooms/lobby request within 1s",
			"the config called:\n  GET http://s.test/rooms/lobby/messages?limit=5 (no stub answered it)\n" +
				"  POST http://s.test/rooms/lobby/messages {\"from\":\"ann\",\"text\":\"hello\"}"},
		{"a pattern without the query",
			callWant{key: "GET http://s.test/rooms/lobby/messages", method: "GET", url: "http://s.test/rooms/lobby/messages"},
			[]request{get}, 0,
			"called: no GET http://s.test/rooms/lobby/messages request within 1s",
			"the config called:\n  GET http://s.test/rooms/lobby/messages?limit=5 (no stub answered it)"},
		{"in another order",
			callWant{key: "GET http://s.test/rooms/*", method: "GET", url: "http://s.test/rooms/*"},
			[]request{get, post}, 2,
			"called: GET http://s.test/rooms/* was called, but before the request listed ahead of it",
			"the config called:\n  GET http://s.test/rooms/lobby/messages?limit=5 (no stub answered it)\n" +
				"  POST http://s.test/rooms/lobby/messages {\"from\":\"ann\",\"text\":\"hello\"}"},
		{"nothing called",
			callWant{key: "GET http://s.test/x", method: "GET", url: "http://s.test/x"},
			nil, 0,
			"called: no GET http://s.test/x request within 1s",
			"the config made no other call"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg, detail := tc.want.missing(tc.reqs, tc.after, time.Second)
			if msg != tc.msg || detail != tc.detail {
				t.Errorf("got:\n%s\n%s\nwant:\n%s\n%s", msg, detail, tc.msg, tc.detail)
			}
		})
	}
}

// TestCallMethods: the methods a stub may name are those a call step may use.
func TestCallMethods(t *testing.T) {
	for _, s := range actions.Specs() {
		if s.Name != "call" {
			continue
		}
		for _, f := range s.Fields {
			if f.Name == "method" {
				if want := "The HTTP method: " + strings.Join(testfile.Methods, ", ") + "."; f.Doc != want {
					t.Fatalf("the call action's methods:\n%s\ntestfile.Methods:\n%s", f.Doc, want)
				}
				return
			}
		}
	}
	t.Fatal("no call action with a method field")
}

const storeConfig = `version: 1
namespaces:
  /:
    on:
      ask:
        do:
          - call: { url: "${{ env.STORE }}/items/${{ data }}", method: GET, timeout: 300ms }
          - emit:
              event: answer
              data: { status: "${{ response.status }}", body: "${{ response.body }}", type: "${{ response.headers['content-type'] }}", kind: "${{ response.headers['x-kind'] }}" }
        on_error:
          - emit: { event: failed, data: "${{ error.message }}" }
      find:
        - call: { url: "${{ env.STORE }}/find?q=${{ data }}", method: GET }
        - emit: { event: found, data: "${{ response.body }}" }
      store:
        - call: { url: "${{ env.STORE }}/items", body: "${{ data }}", headers: { Authorization: Bearer t0ken } }
        - emit: { event: stored, data: "${{ response.status }}" }
      slow:
        - call: { url: "${{ env.STORE }}/items/never", method: GET }
`

// TestStubbedCalls runs a config whose calls a test file stubs: replies with a status,
// headers and a body, JSON or text; delays within and past the call's timeout; a failing
// stub; a call no stub answers; the requests checked by called steps.
func TestStubbedCalls(t *testing.T) {
	dir := writeFiles(t, map[string]string{"app.yaml": storeConfig, "app.test.yaml": `env: { STORE: http://store.test }
clients: { ann: / }
calls:
  GET ${{ env.STORE }}/items/1: { status: 203, headers: { X-Kind: item }, body: { name: one } }
  GET http://store.test/items/text: { headers: { Content-Type: text/plain }, body: plain words }
  GET http://store.test/items/slow: { delay: 150ms, body: late }
  GET http://store.test/items/never: { delay: 10s }
  GET http://store.test/items/down: { fail: connection refused }
  GET http://store.test/find?q=*: { body: [found] }
  POST http://store.test/items: { status: 201 }
tests:
  - name: status, headers and JSON body
    steps:
      - connect: ann
      - emit: { client: ann, event: ask, data: 1 }
      - expect: { ann: { event: answer, data: { status: 203, body: { name: one }, type: application/json, kind: item } } }
      - called: GET http://store.test/items/1
  - name: a text body
    steps:
      - connect: ann
      - emit: { client: ann, event: ask, data: text }
      - expect: { ann: { event: answer, contains: { status: 200, body: plain words, type: text/plain } } }
  - name: a delay within the call's timeout
    steps:
      - connect: ann
      - emit: { client: ann, event: ask, data: slow }
      - expect: { ann: { event: answer, contains: { body: late } } }
  - name: a delay past the call's timeout
    steps:
      - connect: ann
      - emit: { client: ann, event: ask, data: never }
      - expect: { ann: { event: failed, data: "GET http://store.test/items/never: no reply within 300ms (the call's timeout)" } }
  - name: a delay ends with the test
    steps:
      - connect: ann
      - emit: { client: ann, event: slow }
      - called: GET http://store.test/items/never
  - name: a failing stub
    steps:
      - connect: ann
      - emit: { client: ann, event: ask, data: down }
      - expect: { ann: { event: failed, data: "GET http://store.test/items/down: connection refused" } }
  - name: a call no stub answers
    steps:
      - connect: ann
      - emit: { client: ann, event: ask, data: 9 }
      - expect: { ann: { event: failed, contains: 'GET http://store.test/items/9: no stub of the test answers "GET http://store.test/items/9"' } }
      - called: GET http://store.test/items/9
  - name: a query matched by a pattern
    steps:
      - connect: ann
      - emit: { client: ann, event: find, data: a b }
      - expect: { ann: { event: found, data: [found] } }
      - called: GET http://store.test/find?q=a+b
  - name: the requests made, in order
    steps:
      - connect: ann
      - emit: { client: ann, event: store, data: { text: hi, n: 1 }, }
      - expect: { ann: { event: stored, data: 201 } }
      - emit: { client: ann, event: ask, data: 1 }
      - expect: { ann: { event: answer, contains: { status: 203 } } }
      - called:
          - POST http://store.test/items: { body: { text: hi, n: 1 }, headers: { authorization: Bearer t0ken } }
          - GET http://store.test/items/*
  - name: a test's stub replaces the file's
    calls:
      GET http://store.test/items/1: { body: mine }
    steps:
      - connect: ann
      - emit: { client: ann, event: ask, data: 1 }
      - expect: { ann: { event: answer, contains: { status: 200, body: mine } } }
`})
	suite, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep := suite.Run(&out)
	if rep.Failed() != 0 {
		t.Fatalf("output:\n%s", out.String())
	}
	for _, res := range rep.Results {
		switch res.Name {
		case "a delay within the call's timeout":
			if res.Elapsed < 150*time.Millisecond {
				t.Errorf("%q took %s, less than the stub's delay", res.Name, res.Elapsed)
			}
		case "a delay past the call's timeout", "a delay ends with the test":
			if res.Elapsed > 2*time.Second {
				t.Errorf("%q took %s: the stub's 10s delay held it", res.Name, res.Elapsed)
			}
		}
	}
}

// TestCalledFails: a called step that is not met fails its test at its position, with the
// diff, and the failure lists the calls no stub answered.
func TestCalledFails(t *testing.T) {
	dir := writeFiles(t, map[string]string{"app.yaml": storeConfig, "app.test.yaml": `env: { STORE: http://store.test }
clients: { ann: / }
calls:
  POST http://store.test/items: { status: 201 }
tests:
  - name: another body
    timeout: 200ms
    steps:
      - connect: ann
      - emit: { client: ann, event: ask, data: 2 }
      - emit: { client: ann, event: store, data: { text: hello } }
      - expect: { ann: { event: stored, data: 201 } }
      - called: { POST http://store.test/items: { body: { text: hi } } }
`})
	suite, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if rep := suite.Run(&out); rep.Failed() != 1 {
		t.Fatalf("output:\n%s", out.String())
	}
	for _, want := range []string{
		"app.test.yaml:13:19: called: POST http://store.test/items was called, but its body differs",
		"       --- expected\n       +++ arrived\n         {\n       -   \"text\": \"hi\"\n       +   \"text\": \"hello\"\n         }",
		"calls no stub answered (add them under `calls`):\n         GET http://store.test/items/2",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output lacks %q:\n%s", want, out.String())
		}
	}
}
