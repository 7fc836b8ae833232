package router_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// recoveryConfig: a socket joins room r and names itself; say broadcasts to r; whoami answers
// with what the socket is now. The connect handler refuses auth.deny, and a second socket
// unless it is a helper (which skip_connect skips for a recovered socket), and greets only new
// sockets.
const recoveryConfig = `
version: 1
server:
  recovery: { max_disconnection: 30s }
namespaces:
  /chat:
    on:
      connect:
        - reject: denied
          when: auth.deny == true
        - reject: full
          when: len(sockets()) > 1 && auth.role != "helper"
        - emit: { event: welcome, data: "${{ socket.id }}" }
          when: "!socket.recovered"
        - print: "connect sockets=${{ len(sockets()) }} recovered=${{ socket.recovered }}"
      join:
        - join_room: r
        - set: { name: "${{ data }}" }
        - ack: joined
      say:
        - emit: { event: msg, to: r, data: "${{ data }}" }
      other:
        - emit: { event: msg, to: other, data: "${{ data }}" }
      shout:
        - broadcast: { event: msg, data: "${{ data }}", include_self: false }
      whoami:
        - ack: { data: { id: "${{ socket.id }}", rooms: "${{ socket.rooms }}", data: "${{ socket.data }}", recovered: "${{ socket.recovered }}", auth: "${{ auth }}" } }
      disconnect:
        - print: "gone ${{ reason }}"
`

// startHelper sends m1 to room r, x to room other, m2 to everyone but itself and m3 to room
// r, from a second client, which then stays connected for stay milliseconds. A client in r
// gets m1, m2 and m3.
func startHelper(t *testing.T, url string, sig signals) *nodeProc {
	t.Helper()
	script := nodeScript(url, 4,
		step{"wait": "connect"},
		step{"emit": "say", "args": []any{"m1"}},
		step{"emit": "other", "args": []any{"x"}},
		step{"emit": "shout", "args": []any{"m2"}},
		step{"emit": "say", "args": []any{"m3"}},
		step{"emit": "whoami", "ack": true}, // the four were handled before this answer
		step{"touch": sig.sent},
		step{"waitFile": sig.done}, // connected until the test is done with a
	)
	script["auth"] = map[string]any{"role": "helper"}
	return startNode(t, "helper", script)
}

// signals are the files through which the test, client a and the helper wait for each other
// instead of sleeping: the helper has sent its messages (sent), the test is done with a
// (done).
type signals struct{ sent, done string }

func newSignals(t *testing.T) signals {
	dir := t.TempDir()
	return signals{sent: filepath.Join(dir, "sent"), done: filepath.Join(dir, "done")}
}

// release tells the helper the test is done with a.
func (s signals) release(t *testing.T) {
	if err := os.WriteFile(s.done, nil, 0o600); err != nil {
		t.Fatal(err)
	}
}

// cutAndReconnect is client a's script: connect, join r as ana, lose the transport, come
// back once the helper has sent its messages.
func cutAndReconnect(sig signals, after ...map[string]any) []map[string]any {
	return append([]map[string]any{
		{"wait": "connect"},
		{"emit": "join", "args": []any{"ana"}, "ack": true},
		{"emit": "whoami", "ack": true},
		{"cut": true},
		{"waitFile": sig.sent},
		{"connect": true},
		{"wait": "connect"},
	}, after...)
}

func TestRecoveryNodeClient(t *testing.T) {
	t.Run("polling first", func(t *testing.T) { testRecoveryNodeClient(t, nil) })
	t.Run("websocket", func(t *testing.T) { testRecoveryNodeClient(t, []string{"websocket"}) })
}

func testRecoveryNodeClient(t *testing.T, transports []string) {
	s := startRouter(t, recoveryConfig)
	url := s.url + "/chat"
	sig := newSignals(t)
	script := nodeScript(url, 4, cutAndReconnect(sig,
		step{"expect": "msg", "count": 3},
		step{"emit": "whoami", "ack": true},
		step{"emit": "say", "args": []any{"m4"}}, // a live broadcast after the catch-up
		step{"expect": "msg", "count": 4},
		step{"sleep": 300},
	)...)
	if transports != nil {
		script["transports"] = transports
	}
	a := startNode(t, "a", script)
	s.out.WaitFor(t, "gone transport close")
	helper := startHelper(t, url, sig)
	s.out.WaitFor(t, "connect sockets=1 recovered=false") // the helper
	msgs := a.Wait(t)
	sig.release(t)
	mustConnect(t, "helper", helper.Wait(t))

	var connects []nodeMsg
	var acks [][]any
	for _, m := range msgs {
		switch m.Type {
		case "connect":
			connects = append(connects, m)
		case "ack":
			if len(m.Args) > 0 {
				acks = append(acks, m.Args)
			}
		}
	}
	if len(connects) != 2 || connects[0].Recovered || !connects[1].Recovered || connects[0].ID != connects[1].ID {
		t.Fatalf("want a new socket, then the same id recovered; printed %s", rawLines(msgs))
	}
	if got := eventsOf(msgs, "welcome"); len(got) != 1 {
		t.Fatalf("welcome %d times, want once (not when recovered); printed %s", len(got), rawLines(msgs))
	}
	var texts []any
	for _, args := range eventsOf(msgs, "msg") {
		if len(args) != 2 {
			t.Fatalf("msg args %v: want the text and an offset; printed %s", args, rawLines(msgs))
		}
		texts = append(texts, args[0])
	}
	if !reflect.DeepEqual(texts, []any{"m1", "m2", "m3", "m4"}) {
		t.Fatalf("msg texts %v, want m1 m2 m3 (missed) and m4 (live) once each in order; printed %s", texts, rawLines(msgs))
	}
	if len(acks) != 3 {
		t.Fatalf("want 3 acks; printed %s", rawLines(msgs))
	}
	before, after := acks[1][0].(map[string]any), acks[2][0].(map[string]any)
	if before["id"] != after["id"] || !reflect.DeepEqual(before["rooms"], after["rooms"]) || !reflect.DeepEqual(before["data"], after["data"]) {
		t.Fatalf("before the cut %v, after the recovery %v: want the same id, rooms and data", before, after)
	}
	if after["recovered"] != true || !reflect.DeepEqual(after["data"], map[string]any{"name": "ana"}) {
		t.Fatalf("after the recovery %v: want recovered and data {name: ana}", after)
	}
	if auth, _ := after["auth"].(map[string]any); len(auth) != 0 {
		t.Fatalf("after the recovery auth is %v: want the pid and offset hidden from expressions", auth)
	}
	// the helper was connected: the "full" reject would have refused a, and skip_connect skipped it
	s.out.WaitFor(t, "connect sockets=2 recovered=true")
}

// TestRecoveryRejectsWithoutSkipConnect: with skip_connect false a recovered socket's connect
// handler runs its reject steps as for any socket.
func TestRecoveryRejectsWithoutSkipConnect(t *testing.T) {
	s := startRouter(t, strings.Replace(recoveryConfig, "max_disconnection: 30s", "max_disconnection: 30s, skip_connect: false", 1))
	url := s.url + "/chat"
	sig := newSignals(t)
	a := startNode(t, "a", nodeScript(url, 4, cutAndReconnect(sig)...))
	s.out.WaitFor(t, "gone transport close")
	helper := startHelper(t, url, sig)
	msgs := a.Wait(t)
	sig.release(t)
	mustConnect(t, "helper", helper.Wait(t))
	last := msgs[len(msgs)-1]
	if last.Type != "connect_error" || last.Message == nil || *last.Message != "full" {
		t.Fatalf("want the reconnection refused with \"full\"; printed %s", rawLines(msgs))
	}
}

// TestRecoveryForgedPid: a pid nobody was given, or given to another client, or used once
// already, gets a fresh socket.
func TestRecoveryForgedPid(t *testing.T) {
	s := startRouter(t, recoveryConfig)
	url := s.url + "/chat"
	for _, auth := range []map[string]any{
		{"pid": "forged", "offset": "1"},
		{"pid": 42, "offset": []any{"x"}},
		{"pid": "", "offset": ""},
	} {
		script := nodeScript(url, 4, step{"wait": "connect"}, step{"emit": "whoami", "ack": true})
		script["auth"] = auth
		msgs := runNode(t, "forger", script)
		mustConnect(t, "forger", msgs)
		for _, m := range msgs {
			if m.Type == "connect" && m.Recovered {
				t.Fatalf("auth %v: recovered; printed %s", auth, rawLines(msgs))
			}
		}
		if len(eventsOf(msgs, "welcome")) != 1 {
			t.Fatalf("auth %v: want a welcome as a new socket; printed %s", auth, rawLines(msgs))
		}
	}
}

// TestRecoveryRejectStillApplies: a client refused by reject is refused whatever its auth
// (the guard runs for every socket; skip_connect applies to recovered sockets only).
func TestRecoveryRejectStillApplies(t *testing.T) {
	s := startRouter(t, recoveryConfig)
	script := nodeScript(s.url+"/chat", 4, step{"wait": "connect"})
	script["auth"] = map[string]any{"deny": true, "pid": "x", "offset": "1"}
	msgs := runNode(t, "denied", script)
	if len(msgs) != 1 || msgs[0].Type != "connect_error" || msgs[0].Message == nil || *msgs[0].Message != "denied" {
		t.Fatalf("want connect_error denied; printed %s", rawLines(msgs))
	}
}

// TestRecoveryV2Client: socket.io-client 2 gets events without offsets and works as before.
func TestRecoveryV2Client(t *testing.T) {
	s := startRouter(t, recoveryConfig)
	url := s.url + "/chat"
	v2 := startNode(t, "v2", nodeScript(url, 2,
		step{"wait": "connect"},
		step{"emit": "join", "args": []any{"old"}, "ack": true},
		step{"emit": "say", "args": []any{"hi"}},
		step{"expect": "msg"},
	))
	msgs := v2.Wait(t)
	mustConnect(t, "v2", msgs)
	if got := eventsOf(msgs, "msg"); !reflect.DeepEqual(got, [][]any{{"hi"}}) {
		t.Fatalf("v2 msg = %v, want [[hi]] (no offset); printed %s", got, rawLines(msgs))
	}
	if got := eventsOf(msgs, "welcome"); len(got) != 1 || len(got[0]) != 1 {
		t.Fatalf("v2 welcome = %v, want one argument; printed %s", got, rawLines(msgs))
	}
}
