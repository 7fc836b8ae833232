package examples_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ioroute/ioroute/internal/testutil"
)

// Steps 5-7 of the Flask-SocketIO chat tutorial (examples/05-broadcast, 06-connection-events,
// 07-rooms) and examples/chat-rooms: each test serves the example's config, has several
// socket.io-client 4 processes do what its page does, and checks what the users see: the
// lines ioroute prints, and every event each client receives, in order. A client that must
// not hear something stays connected until that has happened and the next thing it is sure
// to hear has arrived: Socket.IO delivers to one socket in order, so it would have come
// first. Clients are synchronised through the lines the configs print.

// clientScript0507 is the scriptable socket.io-client, relative to this package's directory.
const clientScript0507 = "../test/node/client.mjs"

// start0507 starts a socket.io-client 4 that connects to namespace ns of s (with auth, when
// not nil) and then runs steps.
func start0507(t *testing.T, s *testutil.Server, name, ns string, auth map[string]any, steps ...testutil.Step) *testutil.NodeProc {
	t.Helper()
	script := testutil.ClientScript(s.URL+ns, 4, append([]testutil.Step{{"wait": "connect"}}, steps...)...)
	if auth != nil {
		script["auth"] = auth
	}
	return testutil.StartNode(t, clientScript0507, name, script)
}

// seen0507 waits for a client to finish and returns its socket id and what it saw after
// connecting, one line each: `event-name [args as JSON]` for an event, `(disconnected)` for a
// disconnect.
func seen0507(t *testing.T, p *testutil.NodeProc) (id string, seen []string) {
	t.Helper()
	msgs := p.Wait(t)
	testutil.MustConnect(t, p.Name, msgs)
	for _, m := range msgs[1:] {
		switch m.Type {
		case "event":
			args, err := json.Marshal(m.Args)
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, m.Event+" "+string(args))
		case "disconnect":
			seen = append(seen, "(disconnected)")
		default:
			t.Fatalf("%s: unexpected %q line after connecting; printed %s", p.Name, m.Type, testutil.RawLines(msgs))
		}
	}
	return msgs[0].ID, seen
}

// lines0507 checks that got is exactly want, in order.
func lines0507(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// expectSeen0507 checks that a client saw exactly want after connecting, in order.
func expectSeen0507(t *testing.T, p *testutil.NodeProc, want ...string) {
	t.Helper()
	_, seen := seen0507(t, p)
	lines0507(t, p.Name+" saw", seen, want...)
}

// expectPrinted0507 waits for the last line of want, then checks that the config printed
// exactly want, in order.
func expectPrinted0507(t *testing.T, s *testutil.Server, want ...string) {
	t.Helper()
	s.Out.WaitFor(t, want[len(want)-1])
	lines0507(t, "printed", s.Out.All(), want...)
}

// page0507 checks that s serves the example's page at "/": it loads socket.io-client 4 from
// the server exactly as the chat example does (and the server serves it), index.css, and
// index.js, which contains each of uses and no innerHTML.
func page0507(t *testing.T, s *testutil.Server, uses ...string) {
	t.Helper()
	clientTag := chatClientTag(t)
	checkClientServed(t, s.URL)
	page := get0507(t, s.URL+"/")
	for _, want := range []string{clientTag, `<script src="index.js" defer></script>`, `<link rel="stylesheet" href="index.css">`} {
		if !strings.Contains(page, want) {
			t.Errorf("GET / does not contain %s", want)
		}
	}
	js := get0507(t, s.URL+"/index.js")
	for _, want := range uses {
		if !strings.Contains(js, want) {
			t.Errorf("index.js does not contain %s", want)
		}
	}
	if strings.Contains(js, "innerHTML") {
		t.Error("index.js uses innerHTML; pages insert text only")
	}
	get0507(t, s.URL+"/index.css")
}

// get0507 fetches url and fails unless it answers 200.
func get0507(t *testing.T, url string) string {
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
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	return string(b)
}

// TestStep05Broadcast: a page announces its user with user-connected; every page open on
// /user, the announcing one included, lists it as new-user.
func TestStep05Broadcast(t *testing.T) {
	s := testutil.Serve(t, filepath.Join("05-broadcast", "broadcast.yaml"))
	page0507(t, s, `io("/user")`, `"user-connected"`, `"new-user"`, "socket.id", "textContent")

	// as the page sends it: {id: socket.id, user: {username, email, id}}
	announce := func(name string, id int) testutil.Step {
		user := map[string]any{"username": name, "email": name + "@example.com", "id": id}
		return testutil.Step{"emit": "user-connected", "args": []any{map[string]any{"id": "$socketId", "user": user}}}
	}
	newUser := func(socketID, name string, id int) string {
		return fmt.Sprintf(`new-user [{"id":%q,"user":{"email":"%s@example.com","id":%d,"username":%q}}]`, socketID, name, id, name)
	}

	// Each page is open before the next one announces itself, and waits for its own
	// announcement and those of the pages after it.
	carl := start0507(t, s, "carl", "/user", nil, announce("carl", 1), testutil.Step{"expect": "new-user", "count": 3})
	s.Out.WaitFor(t, "new user carl")
	bob := start0507(t, s, "bob", "/user", nil, announce("bob", 2), testutil.Step{"expect": "new-user", "count": 2})
	s.Out.WaitFor(t, "new user bob")
	ana := start0507(t, s, "ana", "/user", nil, announce("ana", 3), testutil.Step{"expect": "new-user", "count": 1})

	anaID, anaSaw := seen0507(t, ana)
	bobID, bobSaw := seen0507(t, bob)
	carlID, carlSaw := seen0507(t, carl)
	lines0507(t, "ana saw", anaSaw, newUser(anaID, "ana", 3))
	lines0507(t, "bob saw", bobSaw, newUser(bobID, "bob", 2), newUser(anaID, "ana", 3))
	lines0507(t, "carl saw", carlSaw, newUser(carlID, "carl", 1), newUser(bobID, "bob", 2), newUser(anaID, "ana", 3))
	expectPrinted0507(t, s, "new user carl", "new user bob", "new user ana")
}

// TestStep06ConnectionEvents: each socket that connects is greeted with my response, and only
// it; each disconnect prints "Client disconnected", whoever ends the connection.
func TestStep06ConnectionEvents(t *testing.T) {
	s := testutil.Serve(t, filepath.Join("06-connection-events", "connection-events.yaml"))
	page0507(t, s, `io("/user")`, `"my response"`, "socket.disconnect()", "socket.connect()", "textContent")
	const greeting = `my response [{"data":"Connected"}]`

	// ana's page stays open until the server stops.
	ana := start0507(t, s, "ana", "/user", nil, testutil.Step{"expect": "my response"}, testutil.Step{"wait": "disconnect"})
	s.Out.WaitFor(t, "Client connected")

	// bob's page is greeted, and he presses its Disconnect button.
	bob := start0507(t, s, "bob", "/user", nil,
		testutil.Step{"expect": "my response"}, testutil.Step{"disconnect": true}, testutil.Step{"wait": "disconnect"})
	expectSeen0507(t, bob, greeting, "(disconnected)")
	expectPrinted0507(t, s, "Client connected", "Client connected", "Client disconnected")

	// Stopping the server disconnects ana, and runs the disconnect handler before Close
	// returns. She was greeted once: bob's greeting went to bob alone.
	if err := s.Router.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	expectSeen0507(t, ana, greeting, "(disconnected)")
	lines0507(t, "printed", s.Out.All(), "Client connected", "Client connected", "Client disconnected", "Client disconnected")
}

// TestStep07Rooms: join-room and leave-room notices reach the members of the room, and only
// them; the leaver gets its own notice, then nothing more from the room.
func TestStep07Rooms(t *testing.T) {
	s := testutil.Serve(t, filepath.Join("07-rooms", "rooms.yaml"))
	page0507(t, s, `io("/user")`, `"join-room"`, `"leave-room"`, "roomName", `"message"`, "textContent")

	join := func(name, room string) testutil.Step {
		return testutil.Step{"emit": "join-room", "args": []any{map[string]any{"username": name, "roomName": room}}}
	}
	leave := func(name, room string) testutil.Step {
		return testutil.Step{"emit": "leave-room", "args": []any{map[string]any{"username": name, "room": room}}}
	}
	messages := func(n int) testutil.Step { return testutil.Step{"expect": "message", "count": n} }
	joined := func(name string) string { return `message ["` + name + ` Joined the room."]` }
	left := func(name string) string { return `message ["` + name + ` has left the room."]` }

	// nina is in blue, never in red: she hears blue's notices only.
	nina := start0507(t, s, "nina", "/user", nil, join("nina", "blue"), messages(3))
	s.Out.WaitFor(t, "nina joined blue")

	// ana joins blue, then red; once bob is in red too she leaves red, and waits in blue.
	ana := start0507(t, s, "ana", "/user", nil,
		join("ana", "blue"), messages(1), join("ana", "red"), messages(3), leave("ana", "red"), messages(5))
	s.Out.WaitFor(t, "ana joined red")

	// bob joins red and stays until carl joins it after ana has left.
	bob := start0507(t, s, "bob", "/user", nil, join("bob", "red"), messages(3))
	s.Out.WaitFor(t, "ana left red")
	carl := start0507(t, s, "carl", "/user", nil, join("carl", "red"), messages(1))
	expectSeen0507(t, carl, joined("carl"))
	expectSeen0507(t, bob, joined("bob"), left("ana"), joined("carl"))

	// zed joins blue last: whatever red sent ana or nina would have reached them before this.
	zed := start0507(t, s, "zed", "/user", nil, join("zed", "blue"), messages(1))
	expectSeen0507(t, zed, joined("zed"))
	expectSeen0507(t, ana, joined("ana"), joined("ana"), joined("bob"), left("ana"), joined("zed"))
	expectSeen0507(t, nina, joined("nina"), joined("ana"), joined("zed"))

	expectPrinted0507(t, s, "nina joined blue", "ana joined blue", "ana joined red", "bob joined red",
		"ana left red", "carl joined red", "zed joined blue")
}

// TestChatRooms: usernames from auth, join and leave notices to the others in the room,
// messages to the others in the room named (members only), and a notice to the others in
// every room of a socket that goes.
func TestChatRooms(t *testing.T) {
	s := testutil.Serve(t, filepath.Join("chat-rooms", "chat-rooms.yaml"))
	page0507(t, s, `io("/chat", { auth: { username`, `"join"`, `"leave"`, `"message"`, `"notice"`, "textContent")

	as := func(name string) map[string]any { return map[string]any{"username": name} }
	join := func(room string) testutil.Step { return testutil.Step{"emit": "join", "args": []any{room}} }
	leave := func(room string) testutil.Step { return testutil.Step{"emit": "leave", "args": []any{room}} }
	say := func(room, text string) testutil.Step {
		return testutil.Step{"emit": "message", "args": []any{map[string]any{"room": room, "text": text}}}
	}
	expect := func(event string, n int) testutil.Step { return testutil.Step{"expect": event, "count": n} }
	message := func(room, from, text string) string {
		return fmt.Sprintf(`message [{"from":%q,"room":%q,"text":%q}]`, from, room, text)
	}
	notice := func(room, text string) string { return fmt.Sprintf(`notice [{"room":%q,"text":%q}]`, room, text) }
	gone := func(name string) string { return `notice [{"text":"` + name + ` left"}]` }

	// carl is in random; he welcomes bob there, and goes once bob has gone.
	carl := start0507(t, s, "carl", "/chat", as("carl"),
		join("random"), expect("notice", 2), say("random", "welcome bob"), expect("notice", 3))
	s.Out.WaitFor(t, "carl joined random")

	// ana is in general; she greets bob there and, once he answered, tries to talk in random
	// without being in it, joins random and leaves general. She goes once bob and carl went.
	ana := start0507(t, s, "ana", "/chat", as("ana"),
		join("general"), expect("notice", 1), say("general", "hi bob"), expect("message", 1),
		say("random", "psst"), join("random"), leave("general"), expect("notice", 4))
	s.Out.WaitFor(t, "ana joined general")

	// bob joins general, answers ana, talks there after she left (to no one), joins random and
	// goes once carl welcomed him.
	bob := start0507(t, s, "bob", "/chat", as("bob"),
		join("general"), expect("message", 1), say("general", "hi ana"), expect("notice", 1),
		say("general", "anyone?"), join("random"), expect("message", 2))

	expectSeen0507(t, bob,
		message("general", "ana", "hi bob"), notice("general", "ana left"), message("random", "carl", "welcome bob"))
	expectSeen0507(t, carl,
		notice("random", "ana joined"), notice("random", "bob joined"), gone("bob"))
	expectSeen0507(t, ana,
		notice("general", "bob joined"), message("general", "bob", "hi ana"), notice("random", "bob joined"),
		message("random", "carl", "welcome bob"), gone("bob"), gone("carl"))

	expectPrinted0507(t, s,
		"carl connected", "carl joined random",
		"ana connected", "ana joined general",
		"bob connected", "bob joined general",
		"ana joined random", "ana left general",
		"bob joined random",
		"bob disconnected", "carl disconnected", "ana disconnected")
}
