package router_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// languageConfig uses each addition of the language for real apps: per-socket data, the
// catch-all, kicks, closing rooms, who is online, guards, loops, error handlers and bytes.
const languageConfig = `
version: 1
namespaces:
  /lang:
    on_error:
      - ack: { data: { error: "${{ error.message }}", step: "${{ error.step }}" } }
    on:
      connect:
        - join_room: lobby
      nick:
        - set: { nick: "${{ data }}", role: member }
        - set: { role: null }
        - ack: ${{ socket.data }}
      online:
        - ack: '${{ {"n": len(sockets()), "names": map(sockets("lobby"), .data.nick)} }}'
      "*":
        - ack: caught ${{ event }}
      guarded:
        when: data == "yes"
        do:
          - ack: guarded ran
      boom:
        - ack: ${{ data.a.b }}
      loop:
        - emit: { event: item, data: "${{ index }}:${{ item }}" }
          for_each: ${{ data }}
        - ack: looped
      bin:
        - ack: '${{ {"received": is_binary(data), "sent": bytes("hi")} }}'
      closeroom:
        - close_room: lobby
        - ack: ${{ map(sockets("lobby"), .id) }}
      leave:
        - disconnect: {}
        - print: never
      disconnect:
        - print: "bye ${{ socket.data.nick }} (${{ reason }}), online ${{ len(sockets()) }}, was in ${{ socket.rooms[1:] }}"
`

// TestLanguageWithNodeClients runs every addition with socket.io-client 4 and 2.
func TestLanguageWithNodeClients(t *testing.T) {
	for _, version := range []int{4, 2} {
		t.Run(fmt.Sprintf("socket.io-client %d", version), func(t *testing.T) {
			s := startRouter(t, languageConfig)
			msgs := runNode(t, "client", nodeScript(s.url+"/lang", version,
				step{"wait": "connect"},
				step{"emit": "nick", "args": []any{"ana"}, "ack": true},
				step{"emit": "whatever", "args": []any{1}, "ack": true},
				step{"emit": "guarded", "args": []any{"yes"}, "ack": true},
				step{"emit": "boom", "args": []any{"a string"}, "ack": true},
				step{"emit": "loop", "args": []any{[]any{"a", "b"}}, "ack": true},
				step{"expect": "item", "count": 2},
				step{"emit": "bin", "args": []any{map[string]any{"$binary": "AQID"}}, "ack": true},
				step{"emit": "online", "ack": true},
				step{"emit": "closeroom", "ack": true},
				step{"emit": "leave"},
				step{"wait": "disconnect"},
			))
			mustConnect(t, "client", msgs)
			acks := map[string]string{}
			for _, m := range msgs {
				if m.Type == "ack" {
					b, _ := json.Marshal(m.Args)
					acks[m.Event] = string(b)
				}
			}
			want := map[string]string{
				"nick":      `[{"nick":"ana"}]`,
				"whatever":  `["caught whatever"]`,
				"guarded":   `["guarded ran"]`,
				"loop":      `["looped"]`,
				"bin":       `[{"received":true,"sent":{"$binary":"aGk="}}]`,
				"online":    `[{"n":1,"names":["ana"]}]`,
				"closeroom": `[[]]`,
			}
			for event, w := range want {
				if acks[event] != w {
					t.Errorf("%s: ack %s, want %s; printed %s", event, acks[event], w, rawLines(msgs))
				}
			}
			if !strings.Contains(acks["boom"], `"step":"namespaces./lang.on.boom[0]"`) || !strings.Contains(acks["boom"], "expected data to be an object") {
				t.Errorf("boom: ack %s, want the error and the failing step", acks["boom"])
			}
			if got := eventsOf(msgs, "item"); fmt.Sprint(got) != "[[0:a] [1:b]]" {
				t.Errorf("items %v", got)
			}
			s.out.WaitFor(t, `bye ana (server namespace disconnect), online 0, was in []`)
			for _, l := range s.out.All() {
				if l == "never" {
					t.Error("a step after disconnect: {} ran")
				}
			}
		})
	}
}
