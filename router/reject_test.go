package router_test

import (
	"reflect"
	"testing"
)

const secureConfig = `
version: 1
namespaces:
  /secure:
    on:
      connect:
        - reject: { message: no token, data: { code: 401 } }
          when: auth.token != "secret"
        - join_room: vip
        - emit: { event: welcome, data: "${{ socket.rooms }}" }
      rooms:
        - ack: ${{ socket.rooms }}
      vip-news:
        - broadcast: { event: news, data: "${{ data }}", to: vip }
`

func TestRejectRefusesWithMessageAndData(t *testing.T) {
	s := startRouter(t, secureConfig)
	url := s.url + "/secure"
	tests := []struct {
		name    string
		version int
		auth    map[string]any
		message string
		data    any
	}{
		{"4.x without a token", 4, nil, "no token", map[string]any{"code": 401.0}},
		{"4.x with a wrong token", 4, map[string]any{"token": "guess"}, "no token", map[string]any{"code": 401.0}},
		{"2.x gets the message", 2, map[string]any{"token": "guess"}, "no token", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script := nodeScript(url, tt.version, step{"wait": "connect"})
			if tt.auth != nil {
				script["auth"] = tt.auth
			}
			msgs := runNode(t, tt.name, script)
			if len(msgs) != 1 || msgs[0].Type != "connect_error" || msgs[0].Message == nil || *msgs[0].Message != tt.message {
				t.Fatalf("want connect_error %q; printed %s", tt.message, rawLines(msgs))
			}
			var data any
			if len(msgs[0].Data) > 0 {
				data = jsonValue(t, msgs[0].Data)
			}
			if tt.data != nil && !reflect.DeepEqual(data, tt.data) {
				t.Fatalf("data = %v, want %v", data, tt.data)
			}
		})
	}
	for _, v := range []int{4, 2} {
		msgs := runNode(t, "valid token", func() map[string]any {
			sc := nodeScript(url, v, step{"wait": "connect"}, step{"expect": "welcome"}, step{"emit": "rooms", "ack": true})
			sc["auth"] = map[string]any{"token": "secret"}
			return sc
		}())
		mustConnect(t, "valid token", msgs)
		welcome := eventsOf(msgs, "welcome")
		if len(welcome) != 1 || len(welcome[0]) != 1 {
			t.Fatalf("v%d welcome = %v; printed %s", v, welcome, rawLines(msgs))
		}
	}
}

// TestRejectedSocketJoinsNothing: steps before the refusal that act on the socket never happen.
func TestRejectedSocketJoinsNothing(t *testing.T) {
	s := startRouter(t, `
version: 1
namespaces:
  /door:
    on:
      connect:
        - join_room: inside
        - broadcast: { event: arrived, data: "${{ auth.name }}", to: inside }
        - reject: go away
          when: auth.name == "mallory"
`+syncHandler)
	alice := s.dial(t, "/door", dialOpts{auth: map[string]any{"name": "alice"}})
	if got := alice.expect(t, "arrived"); !reflect.DeepEqual(got, []any{"alice"}) {
		t.Fatalf("arrived = %v", got)
	}
	msgs := runNode(t, "mallory", func() map[string]any {
		sc := nodeScript(s.url+"/door", 4, step{"wait": "connect"})
		sc["auth"] = map[string]any{"name": "mallory"}
		return sc
	}())
	if len(msgs) != 1 || msgs[0].Type != "connect_error" || *msgs[0].Message != "go away" {
		t.Fatalf("mallory: %s", rawLines(msgs))
	}
	alice.expectNone(t) // no "arrived" for the refused socket
	if !contains(s.log.String(), `msg="connection refused" namespace=/door`) {
		t.Fatalf("log:\n%s", s.log.String())
	}
}
