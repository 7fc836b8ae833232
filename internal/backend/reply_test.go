package backend

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestDecode: a reply body as the config reads it.
func TestDecode(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		want                    any
	}{
		{"json object", "application/json", `{"id": 3, "x": 1.5, "big": 1e20}`, map[string]any{"id": 3, "x": 1.5, "big": 1e20}},
		{"json with parameters", "application/json; charset=utf-8", `[1, "a"]`, []any{1, "a"}},
		{"a +json type", "application/vnd.api+json", `true`, true},
		{"json null", "application/json", `null`, nil},
		{"json that is not", "application/json", `{"id":`, `{"id":`},
		{"json with trailing data", "application/json", `{} {}`, `{} {}`},
		{"text", "text/plain", "7", "7"},
		{"no content type", "", `{"a": 1}`, `{"a": 1}`},
		{"empty", "application/json", "", nil},
		{"empty text", "text/plain", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decode(tt.contentType, []byte(tt.body)); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("decode = %#v, want %#v", got, tt.want)
			}
		})
	}
}

// TestHeaders: names in lower case, the first value of each.
func TestHeaders(t *testing.T) {
	got := headers(http.Header{"Content-Type": {"text/plain"}, "Set-Cookie": {"a=1", "b=2"}, "X-Empty": {}})
	want := map[string]any{"content-type": "text/plain", "set-cookie": "a=1"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("headers = %v, want %v", got, want)
	}
}

// TestFailureHidesQueryAndCredentials: messages name the request without what it may carry
// from the environment.
func TestFailureHidesQueryAndCredentials(t *testing.T) {
	u, _ := url.Parse("http://user:secret@backend:8080/rooms/a?token=secret#x")
	req := &http.Request{Method: "GET", URL: u}
	for _, err := range []error{
		failure(req, time.Second, &url.Error{Op: "Get", URL: u.String(), Err: errors.New("connection refused")}),
		failure(req, time.Second, &url.Error{Op: "Get", URL: u.String(), Err: timeoutErr{}}),
	} {
		if msg := err.Error(); strings.Contains(msg, "secret") || !strings.HasPrefix(msg, "GET http://backend:8080/rooms/a: ") {
			t.Fatalf("message %q", msg)
		}
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string { return "i/o timeout" }
func (timeoutErr) Timeout() bool { return true }
