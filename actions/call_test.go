package actions

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/backend"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// compileErrors compiles a YAML list of steps in scope and returns its errors ("" for none).
func compileErrors(t *testing.T, scope tmpl.Scope, steps string) string {
	t.Helper()
	f, err := config.Parse("t.yaml", []byte("version: 1\nnamespaces: {}\nsteps: "+steps+"\n"))
	if f == nil {
		t.Fatal(err)
	}
	var errs config.Errors
	Compile(config.ParseSteps(f.Root.Get("steps"), &errs), scope, &errs)
	if err := errs.Err(); err != nil {
		return err.Error()
	}
	return ""
}

// TestCallValidation: what validate refuses in a call step, and what it accepts.
func TestCallValidation(t *testing.T) {
	t.Setenv("IOROUTE_TEST_BACKEND", "http://127.0.0.1:8080")
	bad := []struct{ name, steps, want string }{
		{"host from data", `[{call: {url: "http://${{ data.host }}/x"}}]`, "an expression sits in the url's host"},
		{"host after a literal", `[{call: {url: "http://api.${{ data.host }}/x"}}]`, "an expression sits in the url's host"},
		{"scheme and host from data", `[{call: {url: "${{ data.url }}"}}]`, "the url's scheme and host must be fixed at load"},
		{"env then data in the host", `[{call: {url: "${{ env.IOROUTE_TEST_BACKEND }}${{ data.port }}/x"}}]`, "an expression sits in the url's host"},
		{"an expression over env", `[{call: {url: "${{ env.IOROUTE_TEST_BACKEND + data.p }}/x"}}]`, "the url's scheme and host must be fixed at load"},
		{"env not set", `[{call: {url: "${{ env.IOROUTE_TEST_NOT_SET }}/x"}}]`, "environment variable IOROUTE_TEST_NOT_SET is not set"},
		{"no scheme", `[{call: {url: "127.0.0.1:8080/x"}}]`, "is not an http:// or https:// URL"},
		{"another scheme", `[{call: {url: "file:///etc/passwd"}}]`, "must start with http:// or https://"},
		{"a fragment", `[{call: {url: "http://h/x#${{ data }}"}}]`, "fragment"},
		{"a dot segment", `[{call: {url: "http://h/a/../b"}}]`, `".." segment`},
		{"GET with a body", `[{call: {url: "http://h/x", method: GET, body: 1}}]`, "a GET request has no body"},
		{"unknown method", `[{call: {url: "http://h/x", method: FETCH}}]`, `unknown method "FETCH"`},
		{"host header", `[{call: {url: "http://h/x", headers: {Host: evil}}}]`, "Host is written by the HTTP client itself"},
		{"bad header name", `[{call: {url: "http://h/x", headers: {"a b": c}}}]`, `"a b" is not a header name`},
		{"zero timeout", `[{call: {url: "http://h/x", timeout: 0s}}]`, "must be more than 0"},
		{"no url", `[{call: {method: GET}}]`, `missing required field "url"`},
		{"response with no call", `[{ack: "${{ response.status }}"}]`, `"response" is available only after a call step`},
		{"response in the call's own when", `[{call: {url: "http://h/x"}, when: "response.status == 0"}]`, `"response" is available only after a call`},
		{"response before the call", `[{print: "${{ response.body }}"}, {call: {url: "http://h/x"}}]`, `"response" is available only after a call`},
		{"a call only in on_ack", `[{emit: {event: e, on_ack: [{call: {url: "http://h/x"}}]}}, {print: "${{ response }}"}]`, `"response" is available only after a call`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if got := compileErrors(t, tmpl.EventScope, tt.steps); !strings.Contains(got, tt.want) {
				t.Fatalf("errors:\n%s\nwant one saying %q", got, tt.want)
			}
		})
	}
	good := []struct{ name, steps string }{
		{"literal", `[{call: {url: "http://127.0.0.1:8080/rooms/${{ data.room }}/messages?limit=${{ data.n }}"}}]`},
		{"origin from env", `[{call: {url: "${{ env.IOROUTE_TEST_BACKEND }}/rooms/${{ data.room }}"}}]`},
		{"origin from env, index form", `[{call: {url: '${{ env["IOROUTE_TEST_BACKEND"] }}/x'}}]`},
		{"query right after the host", `[{call: {url: "https://h?q=${{ data }}"}}]`},
		{"response after a call", `[{call: {url: "http://h/x"}}, {ack: "${{ response.body }}", when: "response.status == 200"}]`},
		{"response in a later on_ack", `[{call: {url: "http://h/x"}}, {emit: {event: e, on_ack: [{print: "${{ response.status }}"}]}}]`},
		{"response in a later call", `[{call: {url: "http://h/x"}}, {call: {url: "http://h/y/${{ response.body.id }}", body: "${{ response.body }}"}}]`},
	}
	for _, tt := range good {
		t.Run(tt.name, func(t *testing.T) {
			if got := compileErrors(t, tmpl.EventScope, tt.steps); got != "" {
				t.Fatalf("errors:\n%s", got)
			}
		})
	}
}

// request is what a test backend saw of one request.
type request struct {
	Method, RawPath, Query, ContentType, Auth string
	Body                                      string
}

// testBackend serves h on a real listener and records every request.
func testBackend(t *testing.T, h http.HandlerFunc) (*httptest.Server, func() []request) {
	t.Helper()
	var mu sync.Mutex
	var seen []request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, request{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), string(b)})
		mu.Unlock()
		if h != nil {
			h(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() []request {
		mu.Lock()
		defer mu.Unlock()
		return append([]request(nil), seen...)
	}
}

// runCall compiles steps in which BACKEND stands for url, runs them for data and returns the
// run's error and the response the steps after the call read.
func runCall(t *testing.T, url, steps string, data any, calls *backend.Client) (tmpl.Response, error) {
	t.Helper()
	compiled := compileTest(t, tmpl.EventScope, strings.ReplaceAll(steps, "BACKEND", url))
	ctx, _ := testContext(data)
	ctx.Calls = calls
	err := compiled.Run(ctx)
	return ctx.Env.Response, err
}

// TestCallReply: any status is a reply; JSON bodies are decoded (integral numbers as ints),
// others are text, an empty body is nil; headers are read with lower-case names; the body is
// sent as JSON.
func TestCallReply(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		status      int
		body        string
		want        any
	}{
		{"json", "application/json", 201, `{"id": 7, "ratio": 0.5, "tags": ["a", 2]}`, map[string]any{"id": 7, "ratio": 0.5, "tags": []any{"a", 2}}},
		{"json with a charset", "application/json; charset=utf-8", 200, `[1, 2]`, []any{1, 2}},
		{"a +json type", "application/problem+json", 422, `{"title": "bad"}`, map[string]any{"title": "bad"}},
		{"text", "text/plain", 200, "hello", "hello"},
		{"json that is not", "application/json", 502, "<html>bad gateway</html>", "<html>bad gateway</html>"},
		{"no body", "application/json", 204, "", nil},
		{"a server error is a reply", "text/plain", 500, "oops", "oops"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, seen := testBackend(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.Header().Set("X-Request-Id", "r-1")
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			})
			resp, err := runCall(t, srv.URL, `[{call: {url: "BACKEND/messages", body: "${{ data }}", headers: {Authorization: "Bearer ${{ data.who }}"}}}]`,
				map[string]any{"who": "ann", "n": 1}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tt.status || !reflect.DeepEqual(resp.Body, tt.want) || resp.Headers["x-request-id"] != "r-1" {
				t.Fatalf("response = %+v, want status %d body %#v", resp, tt.status, tt.want)
			}
			got := seen()
			want := request{Method: "POST", RawPath: "/messages", ContentType: "application/json", Auth: "Bearer ann", Body: `{"n":1,"who":"ann"}`}
			if len(got) != 1 || got[0] != want {
				t.Fatalf("backend saw %+v, want %+v", got, want)
			}
		})
	}
}

// TestCallEscapesValues: a hostile value stays inside its path segment or query value, and
// never changes the host the config wrote.
func TestCallEscapesValues(t *testing.T) {
	tests := []struct {
		value     string
		wantPath  string
		wantQuery string
	}{
		{"../../admin", "/rooms/..%2F..%2Fadmin/messages", "q=..%2F..%2Fadmin"},
		{"a/b?c=d#e", "/rooms/a%2Fb%3Fc=d%23e/messages", "q=a%2Fb%3Fc%3Dd%23e"},
		{"@evil.example:81", "/rooms/@evil.example:81/messages", "q=%40evil.example%3A81"},
		{"http://evil.example/", "/rooms/http:%2F%2Fevil.example%2F/messages", "q=http%3A%2F%2Fevil.example%2F"},
		{"x&admin=1", "/rooms/x&admin=1/messages", "q=x%26admin%3D1"},
		{"%2e%2e", "/rooms/%252e%252e/messages", "q=%252e%252e"},
		{"a b\r\nc", "/rooms/a%20b%0D%0Ac/messages", "q=a+b%0D%0Ac"},
	}
	srv, seen := testBackend(t, nil)
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			before := len(seen())
			if _, err := runCall(t, srv.URL, `[{call: {url: "BACKEND/rooms/${{ data }}/messages?q=${{ data }}", method: GET}}]`, tt.value, nil); err != nil {
				t.Fatal(err)
			}
			got := seen()
			if len(got) != before+1 || got[before].RawPath != tt.wantPath || got[before].Query != tt.wantQuery {
				t.Fatalf("backend saw %+v, want path %s query %s", got[before:], tt.wantPath, tt.wantQuery)
			}
		})
	}
	t.Run("a dot segment fails the step", func(t *testing.T) {
		for _, v := range []string{"..", "."} {
			_, err := runCall(t, srv.URL, `[{call: {url: "BACKEND/rooms/${{ data }}/messages"}}]`, v, nil)
			if err == nil || !strings.Contains(err.Error(), "would climb out of the path") {
				t.Fatalf("%q: err = %v", v, err)
			}
		}
	})
}

// TestCallFailures: no reply in time, a refused connection and a reply over the size bound
// fail the step (the router's tests show on_error running for them); a redirect is a reply,
// not followed.
func TestCallFailures(t *testing.T) {
	slow, _ := testBackend(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	big, _ := testBackend(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", "2048")
		} else {
			w.(http.Flusher).Flush() // no length: the body is sent in chunks
		}
		_, _ = w.Write([]byte(strings.Repeat("x", 2048)))
	})
	redirect, seen := testBackend(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.1:1/elsewhere", http.StatusFound)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String()
	_ = ln.Close()
	small := backend.New(nil, func() backend.Limits { return backend.Limits{InFlight: 10, BodyBytes: 1024} })

	tests := []struct {
		name, url, query, want string
	}{
		{"timeout", slow.URL, "", "no reply within 100ms"},
		{"refused", refused, "", "connection refused"},
		{"oversized, with a length", big.URL, "", "the reply has 2048 bytes, more than the 1024 of server.limits.call_body_bytes"},
		{"oversized, chunked", big.URL, "?chunked=1", "more than the 1024 bytes of server.limits.call_body_bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			compiled := compileTest(t, tmpl.EventScope, "["+strings.ReplaceAll(`{call: {url: "BACKEND/x`+tt.query+`", timeout: 100ms}}`, "BACKEND", tt.url)+"]")
			ctx, _ := testContext(nil)
			ctx.Calls = small
			start := time.Now()
			err := compiled.Run(ctx)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "?chunked") {
				t.Fatalf("the message shows the query: %v", err)
			}
			if time.Since(start) > 2*time.Second {
				t.Fatalf("the failure took %s", time.Since(start))
			}
		})
	}
	t.Run("redirect", func(t *testing.T) {
		resp, err := runCall(t, redirect.URL, `[{call: {url: "BACKEND/x"}}]`, nil, nil)
		if err != nil || resp.Status != http.StatusFound || resp.Headers["location"] != "http://127.0.0.1:1/elsewhere" || len(seen()) != 1 {
			t.Fatalf("response %+v, err %v, requests %d", resp, err, len(seen()))
		}
	})
}

// TestCallInFlightBound: past calls_in_flight a call fails at once, without reaching the
// backend; the calls within the bound complete.
func TestCallInFlightBound(t *testing.T) {
	release := make(chan struct{})
	var arrived atomic.Int32
	srv, seen := testBackend(t, func(w http.ResponseWriter, r *http.Request) {
		arrived.Add(1)
		<-release
	})
	calls := backend.New(nil, func() backend.Limits { return backend.Limits{InFlight: 2, BodyBytes: 1024} })
	compiled := compileTest(t, tmpl.EventScope, strings.ReplaceAll(`[{call: {url: "BACKEND/x", timeout: 5s}}]`, "BACKEND", srv.URL))
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			ctx, _ := testContext(nil)
			ctx.Calls = calls
			errs <- compiled.Run(ctx)
		}()
	}
	for deadline := time.Now().Add(5 * time.Second); arrived.Load() < 2; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first two calls never reached the backend")
		}
	}
	ctx, _ := testContext(nil)
	ctx.Calls = calls
	start := time.Now()
	err := compiled.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "2 calls are already waiting for their backends, the most server.limits.calls_in_flight allows") {
		t.Fatalf("third call: err = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("the refused call took %s; it must fail at once", d)
	}
	close(release)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if len(seen()) != 2 || calls.InFlight() != 0 {
		t.Fatalf("backend saw %d requests, %d in flight", len(seen()), calls.InFlight())
	}
}

// TestCallKeepsConnectionsAlive: calls to one backend reuse one connection.
func TestCallKeepsConnectionsAlive(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true})
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	calls := backend.New(nil, func() backend.Limits { return backend.Limits{InFlight: 10, BodyBytes: 1024} })
	t.Cleanup(calls.CloseIdle)
	for i := range 20 {
		resp, err := runCall(t, srv.URL, `[{call: {url: "BACKEND/x", body: "${{ data }}"}}]`, i, calls)
		if err != nil || resp.Status != 200 {
			t.Fatalf("call %d: %+v %v", i, resp, err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("20 calls opened %d connections, want 1", n)
	}
}

// TestCallThroughRoundTripper: a Client built on a RoundTripper (the seam test runners use)
// answers calls without a network, within the same timeout and limits.
func TestCallThroughRoundTripper(t *testing.T) {
	var got []string
	stub := backend.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = append(got, r.Method+" "+r.URL.String())
		if r.URL.Path == "/slow" {
			<-r.Context().Done()
			return nil, r.Context().Err()
		}
		return &http.Response{StatusCode: 201, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"id": 1}`)), Request: r}, nil
	})
	calls := backend.New(stub, func() backend.Limits { return backend.Limits{InFlight: 1, BodyBytes: 64} })
	resp, err := runCall(t, "http://backend.test", `[{call: {url: "BACKEND/rooms/${{ data }}"}}]`, "a b", calls)
	if err != nil || resp.Status != 201 || !reflect.DeepEqual(resp.Body, map[string]any{"id": 1}) {
		t.Fatalf("%+v %v", resp, err)
	}
	_, err = runCall(t, "http://backend.test", `[{call: {url: "BACKEND/slow", timeout: 50ms}}]`, nil, calls)
	if err == nil || !strings.Contains(err.Error(), "no reply within 50ms") {
		t.Fatalf("err = %v", err)
	}
	if want := []string{"POST http://backend.test/rooms/a%20b", "POST http://backend.test/slow"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("requests %v, want %v", got, want)
	}
}

// TestCallHeaderValues: a header value that would end the header fails the step.
func TestCallHeaderValues(t *testing.T) {
	srv, seen := testBackend(t, nil)
	_, err := runCall(t, srv.URL, `[{call: {url: "BACKEND/x", headers: {X-Nick: "${{ data }}"}}}]`, "ann\r\nX-Admin: 1", nil)
	var se *StepError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "headers.X-Nick: the value holds a line break") || len(seen()) != 0 {
		t.Fatalf("err = %v, requests %d", err, len(seen()))
	}
}
