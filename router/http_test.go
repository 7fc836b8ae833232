package router_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestPollingAfterUpgradeIsRefused: once a session has moved to websocket, polling requests
// carrying its sid get 400, as the Engine.IO protocol says (the engine alone answers 200).
func TestPollingAfterUpgradeIsRefused(t *testing.T) {
	s := startRouter(t, "version: 1\nnamespaces:\n  /a:\n")
	base := s.url + "/socket.io/?EIO=4&transport=polling"

	resp, err := http.Get(base)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var open struct{ Sid string }
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "0") || json.Unmarshal(body[1:], &open) != nil || open.Sid == "" {
		t.Fatalf("handshake: %d %q", resp.StatusCode, body)
	}
	poll := base + "&sid=" + open.Sid

	ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(s.url, "http", "ws", 1)+"/socket.io/?EIO=4&transport=websocket&sid="+open.Sid, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_ = ws.SetReadDeadline(time.Now().Add(wait))
	if err := ws.WriteMessage(websocket.TextMessage, []byte("2probe")); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := ws.ReadMessage(); err != nil || string(msg) != "3probe" {
		t.Fatalf("probe answer %q, %v", msg, err)
	}
	// the upgrade completes once no poll is pending; the engine answers a pending poll with a noop
	if err := ws.WriteMessage(websocket.TextMessage, []byte("5")); err != nil {
		t.Fatal(err)
	}
	// after the upgrade, the websocket carries the session: a ping from the client is answered
	if err := ws.WriteMessage(websocket.TextMessage, []byte("40/a,")); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := ws.ReadMessage(); err != nil || !strings.HasPrefix(string(msg), "40/a,") {
		t.Fatalf("connect over the upgraded websocket: %q, %v", msg, err)
	}

	resp, err = http.Get(poll)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || string(body) != `{"code":3,"message":"Bad request"}` {
		t.Fatalf("polling after upgrade: %d %q, want 400", resp.StatusCode, body)
	}

}

// TestPollRightAfterUpgradePacket repeats the protocol suite's "should ignore HTTP requests
// with same sid after upgrade": probe, the upgrade packet, and at once a poll with the same
// sid. The upgrade packet is read on the websocket while the poll comes in on another
// connection; the poll must still be answered 400 every time, as Node answers it.
func TestPollRightAfterUpgradePacket(t *testing.T) {
	s := startRouter(t, "version: 1\nnamespaces:\n  /a:\n")
	base := s.url + "/socket.io/?EIO=4&transport=polling"
	client := &http.Client{Timeout: wait}
	for i := range 200 {
		resp, err := client.Get(base)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var open struct{ Sid string }
		if resp.StatusCode != 200 || len(body) < 2 || json.Unmarshal(body[1:], &open) != nil {
			t.Fatalf("handshake %d: %d %q", i, resp.StatusCode, body)
		}
		ws, _, err := websocket.DefaultDialer.Dial(strings.Replace(s.url, "http", "ws", 1)+"/socket.io/?EIO=4&transport=websocket&sid="+open.Sid, nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = ws.SetReadDeadline(time.Now().Add(wait))
		if err := ws.WriteMessage(websocket.TextMessage, []byte("2probe")); err != nil {
			t.Fatal(err)
		}
		if _, msg, err := ws.ReadMessage(); err != nil || string(msg) != "3probe" {
			t.Fatalf("run %d: probe answer %q, %v", i, msg, err)
		}
		if err := ws.WriteMessage(websocket.TextMessage, []byte("5")); err != nil {
			t.Fatal(err)
		}
		resp, err = client.Get(base + "&sid=" + open.Sid)
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		ws.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("run %d: a poll right after the upgrade packet got %d %q, want 400", i, resp.StatusCode, body)
		}
	}
}
