package examples_test

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ioroute/ioroute/internal/testutil"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// authClient is the scriptable socket.io-client (4 and 2) the auth test drives.
const authClient = "../test/node/client.mjs"

// TestAuthTokens: examples/auth lets in valid tokens only, with socket.io-client 4 and 2.
func TestAuthTokens(t *testing.T) {
	const secret = "test-secret"
	t.Setenv("JWT_SECRET", secret)
	s := testutil.Serve(t, filepath.Join("auth", "auth.yaml"))
	url := s.URL + "/secure"
	mint := func(secret, aud string, expires time.Time) string {
		tok, err := tmpl.SignHS256(secret, "ann", aud, expires)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	hour := time.Now().Add(time.Hour)
	refused := []struct{ name, token string }{
		{"no token", ""},
		{"expired", mint(secret, "chat", time.Now().Add(-time.Minute))},
		{"forged", mint("guessed-secret", "chat", hour)},
		{"for another audience", mint(secret, "admin", hour)},
	}
	for _, version := range []int{4, 2} {
		for _, tt := range refused {
			t.Run(tt.name, func(t *testing.T) {
				script := testutil.ClientScript(url, version, testutil.Step{"wait": "connect"})
				script["auth"] = map[string]any{"token": tt.token}
				msgs := testutil.RunNode(t, authClient, tt.name, script)
				if len(msgs) != 1 || msgs[0].Type != "connect_error" || msgs[0].Message == nil || *msgs[0].Message != "invalid or expired token" {
					t.Fatalf("v%d: want connect_error \"invalid or expired token\"; printed %s", version, testutil.RawLines(msgs))
				}
				if version == 4 && string(msgs[0].Data) != `{"code":401}` {
					t.Fatalf("v4 data = %s, want {\"code\":401}", msgs[0].Data)
				}
			})
		}
		script := testutil.ClientScript(url, version,
			testutil.Step{"wait": "connect"},
			testutil.Step{"expect": "welcome"},
			testutil.Step{"emit": "message", "args": []any{"hello"}},
			testutil.Step{"expect": "new-message"},
		)
		script["auth"] = map[string]any{"token": mint(secret, "chat", hour)}
		msgs := testutil.RunNode(t, authClient, "valid token", script)
		testutil.MustConnect(t, "valid token", msgs)
		if got := testutil.EventsOf(msgs, "welcome"); !reflect.DeepEqual(got, [][]any{{"Welcome, ann"}}) {
			t.Fatalf("v%d welcome = %v", version, got)
		}
		if got := testutil.EventsOf(msgs, "new-message"); !reflect.DeepEqual(got, [][]any{{map[string]any{"from": "ann", "text": "hello"}}}) {
			t.Fatalf("v%d new-message = %v", version, got)
		}
	}
}
