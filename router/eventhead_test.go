package router

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

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

func TestEventParts(t *testing.T) {
	tests := []struct {
		name, in, nsp, args string
		id                  uint64
		hasID, ok           bool
	}{
		{"root namespace", `2["message","hi"]`, "/", `["message","hi"]`, 0, false, true},
		{"namespace", `2/chat,["message",{"a":1}]`, "/chat", `["message",{"a":1}]`, 0, false, true},
		{"with an ack id", `2/chat,12["join-room",{}]`, "/chat", `["join-room",{}]`, 12, true, true},
		{"ack id zero", `20["x"]`, "/", `["x"]`, 0, true, true},
		{"largest ack id taken", `2/a,9999999999999999999["x"]`, "/a", `["x"]`, 9999999999999999999, true, true},
		{"ack id too long for the quick way", `2/a,18446744073709551615["x"]`, "", "", 0, false, false},
		{"binary event", `51-/chat,["upload",{"_placeholder":true,"num":0}]`, "", "", 0, false, false},
		{"namespace without a comma", `2/chat`, "", "", 0, false, false},
		{"no arguments", `2/chat,`, "", "", 0, false, false},
		{"not an array", `2/chat,{"a":1}`, "", "", 0, false, false},
		{"ack", `3/chat,1["x"]`, "", "", 0, false, false},
		{"empty", ``, "", "", 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nsp, id, hasID, args, ok := eventParts([]byte(tt.in))
			if string(nsp) != tt.nsp || id != tt.id || hasID != tt.hasID || string(args) != tt.args || ok != tt.ok {
				t.Fatalf("eventParts(%q) = %q %d %v %q %v, want %q %d %v %q %v", tt.in, nsp, id, hasID, args, ok, tt.nsp, tt.id, tt.hasID, tt.args, tt.ok)
			}
		})
	}
}

// FuzzEventParts: whatever a client sends, eventParts does not panic, and what it takes
// agrees with eventHead and with the packet: the namespace, the digits of the id and the
// arguments make up the packet again.
func FuzzEventParts(f *testing.F) {
	for _, seed := range []string{`2["message","hi"]`, `2/chat,12["join-room",{}]`, `2/a,99999999999999999999["x"]`, `2/chat`, `51-/c,["u",{}]`, `2[`, `2/,1[`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		nsp, id, hasID, args, ok := eventParts(b)
		if !ok {
			return
		}
		if headNsp, _, headOK := eventHead(b); !headOK || headNsp != string(nsp) {
			t.Fatalf("eventParts(%q) namespace %q, eventHead %q %v", b, nsp, headNsp, headOK)
		}
		rebuilt := "2"
		if string(nsp) != "/" || (len(b) > 1 && b[1] == '/') {
			rebuilt += string(nsp) + ","
		}
		digits := string(b[len(rebuilt) : len(b)-len(args)])
		if hasID != (digits != "") || (hasID && strconv.FormatUint(id, 10) != strings.TrimLeft(digits, "0") && id != 0) {
			t.Fatalf("eventParts(%q) id %d %v from %q", b, id, hasID, digits)
		}
		if rebuilt+digits+string(args) != string(b) || args[0] != '[' {
			t.Fatalf("eventParts(%q) = %q %q %q", b, nsp, digits, args)
		}
	})
}

// FuzzArgText: argText finds the same elements in a JSON array as encoding/json does.
func FuzzArgText(f *testing.F) {
	for _, seed := range []string{`["m",{"a":[1,{"b":"]}\""}]},2]`, `[ "m" , "x\\"y" ,3.5e2, null,true,[]]`, `[]`, `["only"]`, `["m",{}]`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var parts []json.RawMessage
		if json.Unmarshal(b, &parts) != nil {
			return
		}
		for i := range len(parts) + 1 {
			got := argText(b, i)
			if i == len(parts) {
				if got != nil {
					t.Fatalf("argText(%q, %d) = %q past the end", b, i, got)
				}
				continue
			}
			if string(got) != strings.TrimSpace(string(parts[i])) {
				t.Fatalf("argText(%q, %d) = %q, want %q", b, i, got, parts[i])
			}
		}
	})
}
