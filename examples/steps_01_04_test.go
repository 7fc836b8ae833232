package examples_test

import (
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/ioroute/ioroute/internal/testutil"
)

// The first four steps of the Flask-SocketIO chat tutorial (examples/01-message to
// examples/04-emit-ack): each test serves the example's config, does what its page does with
// socket.io-client 4, and checks what a user sees: the lines ioroute prints and the events the
// page receives.

// steps14ClientMJS is the scriptable socket.io-client, relative to this package's directory.
const steps14ClientMJS = "../test/node/client.mjs"

// steps14SocketID stands for the socket.id the pages of steps 2-4 put in their payload;
// client.mjs replaces it with the client's own id.
const steps14SocketID = "$socketId"

// steps14Ada is the user the pages of steps 2-4 announce (see their index.js).
var steps14Ada = map[string]any{"username": "ada", "email": "ada@example.com", "id": 1}

// steps14AdaPrinted is what the router prints for ada's user-connected payload, given the
// client's socket id.
const steps14AdaPrinted = `{"data":{"id":"%s","user":{"email":"ada@example.com","id":1,"username":"ada"}}}`

func TestStep01Message(t *testing.T) {
	const config = "01-message/message.yaml"
	steps14CheckPage(t, config, "io()", "socket.send(", "Connected to the server")

	tests := []struct {
		name  string
		event string
		data  any
		want  string
	}{
		{"the page's message", "message", map[string]any{"data": "Connected to the server"},
			`{"message":{"data":"Connected to the server"}}`},
		{"a message that is a string", "message", "hello",
			`{"message":"hello"}`},
		{"json", "json", map[string]any{"data": "Connected to the server"},
			`{"json":{"data":"Connected to the server"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testutil.Serve(t, config)
			// like the page: send on load (the client holds it until connected), stay a while
			msgs := testutil.RunNode(t, steps14ClientMJS, tt.name, testutil.ClientScript(s.URL+"/", 4,
				testutil.Step{"emit": tt.event, "args": []any{tt.data}},
				testutil.Step{"wait": "connect"},
				testutil.Step{"sleep": 200},
			))
			testutil.MustConnect(t, tt.name, msgs)
			want := steps14WithID(tt.want, msgs[0].ID)
			s.Out.WaitFor(t, want)
			steps14PrintedExactly(t, s, want)
			steps14ReceivedNothing(t, tt.name, msgs)
		})
	}
}

func TestStep02CustomEvent(t *testing.T) {
	steps14UserConnected(t, "02-custom-event/custom-event.yaml", "/", "io()")
}

func TestStep03Namespaces(t *testing.T) {
	const config = "03-namespaces/namespaces.yaml"
	steps14UserConnected(t, config, "/user", `io("/user")`)

	// the page of step 2, which connects to "/", is refused: only /user is declared
	t.Run("the default namespace is refused", func(t *testing.T) {
		s := testutil.Serve(t, config)
		msgs := testutil.RunNode(t, steps14ClientMJS, "default namespace", testutil.ClientScript(s.URL+"/", 4,
			testutil.Step{"wait": "connect"},
		))
		if len(msgs) != 1 || msgs[0].Type != "connect_error" || msgs[0].Message == nil || *msgs[0].Message != "Invalid namespace" {
			t.Fatalf(`want one connect_error "Invalid namespace"; printed %s`, testutil.RawLines(msgs))
		}
		if got := s.Out.All(); len(got) != 0 {
			t.Errorf("printed %q, want nothing", got)
		}
	})
}

// steps14UserConnected checks steps 2 and 3: the page emits user-connected in namespace and the
// router prints {"data": payload}; nothing is sent back.
func steps14UserConnected(t *testing.T, config, namespace, pageConnects string) {
	steps14CheckPage(t, config, pageConnects, `"user-connected"`, "socket.id")

	tests := []struct {
		name string
		user map[string]any
		want string
	}{
		{"the page's user", steps14Ada, steps14AdaPrinted},
		{"another user", map[string]any{"username": "Zoë", "email": "zoe@example.com", "id": 2},
			`{"data":{"id":"%s","user":{"email":"zoe@example.com","id":2,"username":"Zoë"}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testutil.Serve(t, config)
			payload := map[string]any{"id": steps14SocketID, "user": tt.user}
			msgs := testutil.RunNode(t, steps14ClientMJS, tt.name, testutil.ClientScript(s.URL+namespace, 4,
				testutil.Step{"wait": "connect"},
				testutil.Step{"emit": "user-connected", "args": []any{payload}},
				testutil.Step{"sleep": 200},
			))
			testutil.MustConnect(t, tt.name, msgs)
			want := steps14WithID(tt.want, msgs[0].ID)
			s.Out.WaitFor(t, want)
			steps14PrintedExactly(t, s, want)
			steps14ReceivedNothing(t, tt.name, msgs)
		})
	}
}

func TestStep04EmitAck(t *testing.T) {
	const config = "04-emit-ack/emit-ack.yaml"
	steps14CheckPage(t, config, `io("/user")`, `"user-connected"`, `"new-user"`, "new user is connected", "callback()", "textContent")

	payload := map[string]any{"id": steps14SocketID, "user": steps14Ada}
	tests := []struct {
		name   string
		acks   bool
		prints []string
	}{
		// the page calls the callback with no arguments
		{"the page acknowledges", true, []string{steps14AdaPrinted, "message was received"}},
		{"a client that never acknowledges", false, []string{steps14AdaPrinted}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testutil.Serve(t, config)
			script := testutil.ClientScript(s.URL+"/user", 4,
				testutil.Step{"wait": "connect"},
				testutil.Step{"emit": "user-connected", "args": []any{payload}},
				testutil.Step{"expect": "new-user"},
				testutil.Step{"sleep": 200},
			)
			if tt.acks {
				script["ackReply"] = []any{}
			}
			msgs := testutil.RunNode(t, steps14ClientMJS, tt.name, script)
			testutil.MustConnect(t, tt.name, msgs)

			// the page receives its own payload back, once, with its own id in it
			got := testutil.EventsOf(msgs, "new-user")
			want := [][]any{{testutil.JSONValue(t, map[string]any{"id": msgs[0].ID, "user": steps14Ada})}}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("new-user events = %v, want %v; printed %s", got, want, testutil.RawLines(msgs))
			}
			for _, m := range msgs {
				if m.Type == "event" && m.Event != "new-user" {
					t.Errorf("unexpected event %q; printed %s", m.Event, testutil.RawLines(msgs))
				}
			}

			prints := append([]string(nil), tt.prints...)
			prints[0] = steps14WithID(prints[0], msgs[0].ID)
			s.Out.WaitFor(t, prints[len(prints)-1])
			steps14PrintedExactly(t, s, prints...)
		})
	}
}

// steps14CheckPage serves config and checks that its page is served at "/", loads socket.io-client 4
// from the server exactly as the chat example does (and the server serves it), and loads
// index.js, which contains each of uses.
func steps14CheckPage(t *testing.T, config string, uses ...string) {
	t.Helper()
	s := testutil.Serve(t, config)

	clientTag := chatClientTag(t)
	checkClientServed(t, s.URL)

	page, ctype := steps14Get(t, s.URL+"/")
	if !strings.HasPrefix(ctype, "text/html") {
		t.Errorf("GET / Content-Type = %q, want text/html", ctype)
	}
	for _, want := range []string{clientTag, `<script src="index.js" defer></script>`, `<link rel="stylesheet" href="index.css">`} {
		if !strings.Contains(page, want) {
			t.Errorf("GET / does not contain %s:\n%s", want, page)
		}
	}

	js, _ := steps14Get(t, s.URL+"/index.js")
	for _, want := range uses {
		if !strings.Contains(js, want) {
			t.Errorf("index.js does not contain %s", want)
		}
	}
	if strings.Contains(js, "innerHTML") {
		t.Error("index.js uses innerHTML; pages insert text only")
	}
	steps14Get(t, s.URL+"/index.css")
}

// get fetches url, fails unless it answers 200, and returns the body and Content-Type.
func steps14Get(t *testing.T, url string) (body, contentType string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, b)
	}
	return string(b), resp.Header.Get("Content-Type")
}

// steps14PrintedExactly fails unless the router printed exactly want, in order.
func steps14PrintedExactly(t *testing.T, s *testutil.Server, want ...string) {
	t.Helper()
	if got := s.Out.All(); !reflect.DeepEqual(got, want) {
		t.Errorf("printed %q, want %q", got, want)
	}
}

// steps14ReceivedNothing fails if the client got any event from the server.
func steps14ReceivedNothing(t *testing.T, name string, msgs []testutil.NodeMsg) {
	t.Helper()
	for _, m := range msgs {
		if m.Type != "connect" {
			t.Errorf("%s: want only the connect line; printed %s", name, testutil.RawLines(msgs))
			return
		}
	}
}

// steps14WithID puts the client's socket id where an expected line has %s.
func steps14WithID(line, id string) string {
	return strings.ReplaceAll(line, "%s", id)
}
