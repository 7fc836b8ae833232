package router_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// recoveryWireConfig: pings every 200 ms, answered within 300 ms, so that a client that stops
// answering is dropped for a ping timeout soon.
var recoveryWireConfig = strings.Replace(recoveryConfig, "recovery: { max_disconnection: 30s }",
	"recovery: { max_disconnection: 30s }\n  ping_interval: 200ms\n  ping_timeout: 300ms", 1)

// wireClient is a socket.io client of protocol 5 written by hand over a raw websocket, to
// control what a library client would not: when it stops answering pings, what it sends at
// CONNECT.
type wireClient struct {
	t     *testing.T
	ws    *websocket.Conn
	pongs bool // answer the server's pings
}

func dialWire(t *testing.T, s *server) *wireClient {
	return &wireClient{t: t, ws: rawSocket(t, s), pongs: true}
}

func (w *wireClient) send(frame string) {
	w.t.Helper()
	if err := w.ws.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
		w.t.Fatal(err)
	}
}

// next returns the next text frame that is not a ping (answered when pongs is set) and the
// binary frames after it, if it announces attachments.
func (w *wireClient) next() (string, [][]byte) {
	w.t.Helper()
	_ = w.ws.SetReadDeadline(time.Now().Add(wait))
	for {
		_, b, err := w.ws.ReadMessage()
		if err != nil {
			w.t.Fatalf("reading: %v", err)
		}
		frame := string(b)
		if frame == "2" {
			if w.pongs {
				w.send("3")
			}
			continue
		}
		var bins [][]byte
		if strings.HasPrefix(frame, "45") {
			n := 0
			for _, c := range frame[2:strings.IndexByte(frame, '-')] {
				n = n*10 + int(c-'0')
			}
			for range n {
				_, bin, err := w.ws.ReadMessage()
				if err != nil {
					w.t.Fatalf("reading an attachment: %v", err)
				}
				bins = append(bins, bin)
			}
		}
		return frame, bins
	}
}

// connect sends CONNECT to /chat with auth and returns the answer's sid and pid.
func (w *wireClient) connect(auth string) (sid, pid string) {
	w.t.Helper()
	w.send("40/chat," + auth)
	frame, _ := w.next()
	var ans struct{ Sid, Pid string }
	if !strings.HasPrefix(frame, "40/chat,") || json.Unmarshal([]byte(frame[len("40/chat,"):]), &ans) != nil || ans.Pid == "" {
		w.t.Fatalf("CONNECT answer %q: want one with a sid and a pid", frame)
	}
	return ans.Sid, ans.Pid
}

// event reads the next event and returns its arguments.
func (w *wireClient) event() ([]any, [][]byte) {
	w.t.Helper()
	frame, bins := w.next()
	i := strings.IndexByte(frame, '[')
	var args []any
	if !strings.HasPrefix(frame, "4") || i < 0 || json.Unmarshal([]byte(frame[i:]), &args) != nil {
		w.t.Fatalf("want an event, got %q", frame)
	}
	return args, bins
}

// TestRecoveryAfterPingTimeout: a client that stopped answering pings (a dead network, as a
// phone's) is dropped with "ping timeout", its session kept; the events sent to its room
// meanwhile, a binary one among them, are replayed in order when it comes back with its pid
// and offset, as the same socket. A socket.io-client 2 presenting that pid is refused
// (Engine.IO 3 sockets are never recovered, and the engine gave it the session's socket id)
// and leaves the session to its owner.
func TestRecoveryAfterPingTimeout(t *testing.T) {
	s := startRouter(t, recoveryWireConfig)
	a := dialWire(t, s)
	sid, pid := a.connect("")
	if args, _ := a.event(); len(args) < 2 || args[0] != "welcome" {
		t.Fatalf("want the welcome, got %v", args)
	}
	a.send(`42/chat,0["join","ana"]`)
	if frame, _ := a.next(); frame != `43/chat,0["joined"]` {
		t.Fatalf("join answered %q", frame)
	}

	helper := s.dial(t, "/chat", dialOpts{auth: map[string]any{"role": "helper"}})
	helper.emit("say", "m1")
	args, _ := a.event()
	if len(args) != 3 || args[1] != "m1" {
		t.Fatalf("want msg m1 with an offset, got %v", args)
	}
	offset, _ := args[2].(string)

	a.pongs = false
	s.out.WaitFor(t, "gone ping timeout")
	helper.emit("say", "m2")
	helper.emit("say", []byte{7, 8, 9})
	helper.emit("say", "m3")
	helper.emitAck(t, "whoami") // the three were handled before this answer

	v2script := nodeScript(s.url+"/chat", 2, step{"wait": "connect"})
	v2script["auth"] = map[string]any{"pid": pid, "offset": offset, "role": "helper"} // sent as query parameters
	if v2 := runNode(t, "v2", v2script); len(v2) != 1 || v2[0].Type != "connect_error" {
		t.Fatalf("socket.io-client 2 with another socket's pid: %s; want it refused", rawLines(v2))
	}

	back := dialWire(t, s)
	auth, _ := json.Marshal(map[string]string{"pid": pid, "offset": offset})
	if sid2, _ := back.connect(string(auth)); sid2 != sid {
		t.Fatalf("came back as %s, want %s recovered", sid2, sid)
	}
	var got []any
	for range 3 {
		args, bins := back.event()
		if len(args) != 3 || args[0] != "msg" {
			t.Fatalf("want msg with an offset, got %v", args)
		}
		if len(bins) == 1 {
			got = append(got, bins[0])
		} else {
			got = append(got, args[1])
		}
	}
	if want := []any{"m2", []byte{7, 8, 9}, "m3"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("replayed %v, want %v", got, want)
	}
}
