package engine

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestForUpgrade: a websocket upgrade is handed to the engine detached from net/http's
// contexts (which the engine would otherwise keep for the session's life), with everything
// the handshake reads intact; any other request, polling included, is handed on untouched,
// since the engine watches its context to notice a client that left during a held poll.
func TestForUpgrade(t *testing.T) {
	type key struct{}
	cases := []struct {
		name     string
		headers  map[string]string
		detached bool
	}{
		{"websocket upgrade", map[string]string{"Upgrade": "websocket", "Connection": "Upgrade"}, true},
		{"upgrade with a token list", map[string]string{"Upgrade": "WebSocket", "Connection": "keep-alive, Upgrade"}, true},
		{"polling", nil, false},
		{"upgrade header without connection upgrade", map[string]string{"Upgrade": "websocket"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
			req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/socket.io/?EIO=4&transport=websocket&x=1", nil)
			req.RemoteAddr = "127.0.0.9:4000"
			req.Header.Set("X-Custom", "kept")
			for k, v := range c.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			w, got := ForUpgrade(rec, req)
			cancel() // net/http cancels the request's context once the handler returns

			if !c.detached {
				if got != req || w != http.ResponseWriter(rec) {
					t.Fatalf("a request that is not a websocket upgrade was changed")
				}
				return
			}
			if got.Context().Done() != nil || got.Context().Value(key{}) != nil {
				t.Errorf("the upgrade's request is still tied to net/http's context")
			}
			if _, ok := w.(*upgradeWriter); !ok {
				t.Errorf("the upgrade's writer is %T, want the one that lets go after the hijack", w)
			}
			if got.Header.Get("X-Custom") != "kept" || got.URL.Query().Get("x") != "1" ||
				got.RemoteAddr != req.RemoteAddr || got.RequestURI != req.RequestURI || got.Host != req.Host {
				t.Errorf("the handshake's request lost something: %+v", got)
			}
		})
	}
}
