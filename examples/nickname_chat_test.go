package examples_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/ioroute/ioroute/internal/testutil"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// connectedSocket finds the id of the nth socket the router logged as connected to ns.
func connectedSocket(t *testing.T, s *testutil.Server, ns string, n int) string {
	t.Helper()
	re := regexp.MustCompile(`msg=connected namespace=` + regexp.QuoteMeta(ns) + ` socket=(\S+)`)
	deadline := time.Now().Add(testutil.Wait)
	for {
		if m := re.FindAllStringSubmatch(s.Log.String(), -1); len(m) >= n {
			return m[n-1][1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no socket %d connected to %s:\n%s", n, ns, s.Log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// firstArgs is each event's first argument, its data.
func firstArgs(events [][]any) []any {
	out := make([]any, 0, len(events))
	for _, args := range events {
		if len(args) > 0 {
			out = append(out, args[0])
		}
	}
	return out
}

// TestNicknameChat drives examples/nickname-chat with a member on socket.io-client 4 and 2
// and a moderator on 4: who is online, messages, typing, a private message, and the
// moderator's kick; a client without a nickname is refused.
func TestNicknameChat(t *testing.T) {
	const secret = "test-secret"
	t.Setenv("JWT_SECRET", secret)
	for _, version := range []int{4, 2} {
		t.Run(fmt.Sprintf("member on socket.io-client %d", version), func(t *testing.T) {
			s := testutil.Serve(t, filepath.Join("nickname-chat", "nickname-chat.yaml"))
			url := s.URL + "/chat"

			refused := testutil.ClientScript(url, version, testutil.Step{"wait": "connect"})
			refused["auth"] = map[string]any{"nick": "  "}
			if msgs := testutil.RunNode(t, chatClient, "no nick", refused); len(msgs) != 1 || msgs[0].Type != "connect_error" || msgs[0].Message == nil || *msgs[0].Message != "choose a nickname" {
				t.Fatalf("without a nickname: %s", testutil.RawLines(msgs))
			}

			bobScript := testutil.ClientScript(url, version,
				testutil.Step{"wait": "connect"},
				testutil.Step{"expect": "online", "count": 2},
				testutil.Step{"emit": "message", "args": []any{"hi from bob"}},
				testutil.Step{"expect": "private"},
				testutil.Step{"emit": "typing"},
				testutil.Step{"wait": "disconnect"},
			)
			bobScript["auth"] = map[string]any{"nick": "bob"}
			bob := testutil.StartNode(t, chatClient, "bob", bobScript)
			bobID := connectedSocket(t, s, "/chat", 1)

			token, err := tmpl.SignHS256(secret, "ann", "moderator", time.Now().Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			annScript := testutil.ClientScript(url, 4,
				testutil.Step{"wait": "connect"},
				testutil.Step{"expect": "message"},
				testutil.Step{"emit": "private", "args": []any{map[string]any{"to": bobID, "text": "psst"}}, "ack": true},
				testutil.Step{"expect": "typing"},
				testutil.Step{"emit": "kick", "args": []any{bobID}, "ack": true},
				testutil.Step{"expect": "online", "count": 2},
			)
			annScript["auth"] = map[string]any{"nick": "ann", "token": token}
			ann := testutil.RunNode(t, chatClient, "ann", annScript)
			bobSaw := bob.Wait(t)
			testutil.MustConnect(t, "ann", ann)
			testutil.MustConnect(t, "bob", bobSaw)
			annID := ann[0].ID

			// Events carry their data first (recovery adds an offset after it for version 4).
			online := firstArgs(testutil.EventsOf(bobSaw, "online"))
			both := []any{map[string]any{"id": bobID, "nick": "bob", "role": "member"}, map[string]any{"id": annID, "nick": "ann", "role": "moderator"}}
			if len(online) != 2 || !reflect.DeepEqual(online[1], map[string]any{"count": float64(2), "users": both}) {
				t.Fatalf("bob's online events %v, want the second to list bob and ann", online)
			}
			if got := firstArgs(testutil.EventsOf(ann, "message")); !reflect.DeepEqual(got, []any{map[string]any{"from": "bob", "text": "hi from bob"}}) {
				t.Fatalf("ann's messages %v", got)
			}
			if got := firstArgs(testutil.EventsOf(bobSaw, "private")); !reflect.DeepEqual(got, []any{map[string]any{"from": "ann", "text": "psst"}}) {
				t.Fatalf("bob's private messages %v", got)
			}
			if got := firstArgs(testutil.EventsOf(ann, "typing")); !reflect.DeepEqual(got, []any{"bob"}) {
				t.Fatalf("ann's typing events %v", got)
			}
			if last := firstArgs(testutil.EventsOf(ann, "online")); !reflect.DeepEqual(last[len(last)-1], map[string]any{"count": float64(1),
				"users": []any{map[string]any{"id": annID, "nick": "ann", "role": "moderator"}}}) {
				t.Fatalf("ann's online after the kick %v, want ann alone", last)
			}
			kicked := false
			for _, m := range bobSaw {
				kicked = kicked || (m.Type == "disconnect" && m.Reason == "io server disconnect")
			}
			if !kicked {
				t.Fatalf("bob was not disconnected by the server: %s", testutil.RawLines(bobSaw))
			}
		})
	}
}

// TestNicknameChatRecovers: the nickname chat keeps sessions (server.recovery). Bob loses his
// connection as on a network change (socket.io-client 4, engine closed), ann says three things
// meanwhile, and bob comes back as the same socket, with his nickname, and gets the three
// messages once each, in order; his later message still reaches ann as from "bob".
func TestNicknameChatRecovers(t *testing.T) {
	t.Setenv("JWT_SECRET", "test-secret")
	s := testutil.Serve(t, filepath.Join("nickname-chat", "nickname-chat.yaml"))
	url := s.URL + "/chat"

	bobScript := testutil.ClientScript(url, 4,
		testutil.Step{"wait": "connect"},
		testutil.Step{"expect": "online"}, // an event received: the client has an offset to give
		testutil.Step{"cut": true},
		testutil.Step{"sleep": 3000},
		testutil.Step{"connect": true},
		testutil.Step{"wait": "connect"},
		testutil.Step{"expect": "message", "count": 3},
		testutil.Step{"emit": "message", "args": []any{"I am back"}},
		testutil.Step{"sleep": 300},
	)
	bobScript["auth"] = map[string]any{"nick": "bob"}
	bob := testutil.StartNode(t, chatClient, "bob", bobScript)
	testutil.WaitForLog(t, s.Log, "reason=\"transport close\"")

	annScript := testutil.ClientScript(url, 4,
		testutil.Step{"wait": "connect"},
		testutil.Step{"emit": "message", "args": []any{"one"}},
		testutil.Step{"emit": "message", "args": []any{"two"}},
		testutil.Step{"emit": "message", "args": []any{"three"}},
		testutil.Step{"expect": "message"},
	)
	annScript["auth"] = map[string]any{"nick": "ann"}
	ann := testutil.RunNode(t, chatClient, "ann", annScript)
	bobSaw := bob.Wait(t)
	testutil.MustConnect(t, "ann", ann)

	var connects []testutil.NodeMsg
	for _, m := range bobSaw {
		if m.Type == "connect" {
			connects = append(connects, m)
		}
	}
	if len(connects) != 2 || connects[0].Recovered || !connects[1].Recovered || connects[0].ID != connects[1].ID {
		t.Fatalf("bob's connects %+v: want a new socket, then the same id recovered", connects)
	}
	var texts []any
	for _, args := range testutil.EventsOf(bobSaw, "message") {
		m, _ := args[0].(map[string]any)
		texts = append(texts, m["from"], m["text"])
	}
	if want := []any{"ann", "one", "ann", "two", "ann", "three"}; !reflect.DeepEqual(texts, want) {
		t.Fatalf("bob received %v, want %v once each, in order", texts, want)
	}
	if got := testutil.EventsOf(ann, "message"); len(got) != 1 || !reflect.DeepEqual(got[0][0], map[string]any{"from": "bob", "text": "I am back"}) {
		t.Fatalf("ann received %v, want bob's message with his nickname kept", got)
	}
}
