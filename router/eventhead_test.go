package router

import "testing"

func TestEventHead(t *testing.T) {
	tests := []struct {
		name, in, nsp, event string
		ok                   bool
	}{
		{"root namespace", `2["message","hi"]`, "/", "message", true},
		{"namespace", `2/chat,["message",{"a":1}]`, "/chat", "message", true},
		{"with an ack id", `2/chat,12["join-room",{}]`, "/chat", "join-room", true},
		{"binary event", `51-/chat,["upload",{"_placeholder":true,"num":0}]`, "/chat", "upload", true},
		{"binary event, root", `52-["two",{},{}]`, "/", "two", true},
		{"escaped name", `2/a,["say \"hi\"",1]`, "/a", `say "hi"`, true},
		{"space before the name", `2/a,[ "x"]`, "/a", "x", true},
		{"number as the name", `2/a,[1,2]`, "/a", "", true},
		{"cut short", `2/a,["mess`, "/a", "", true},
		{"no array", `2/a,`, "/a", "", true},
		{"connect", `0/chat,`, "", "", false},
		{"ack", `3/chat,1["x"]`, "", "", false},
		{"empty", ``, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nsp, event, ok := eventHead([]byte(tt.in))
			if nsp != tt.nsp || event != tt.event || ok != tt.ok {
				t.Fatalf("eventHead(%q) = %q %q %v, want %q %q %v", tt.in, nsp, event, ok, tt.nsp, tt.event, tt.ok)
			}
		})
	}
}
