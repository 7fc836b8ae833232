package chatload

import "testing"

func TestField(t *testing.T) {
	body := []byte(`{"s":12,"q":3,"t":1e+06,"p":"xxx"}]`)
	for key, want := range map[string]int64{`"s":`: 12, `"q":`: 3, `"t":`: 1000000} {
		got, ok := field(body, []byte(key))
		if !ok || got != want {
			t.Errorf("field %s = %d, %v; want %d", key, got, ok, want)
		}
	}
	if _, ok := field(body, []byte(`"z":`)); ok {
		t.Error("missing key found")
	}
	if _, ok := field([]byte(`{"s":"a"}`), []byte(`"s":`)); ok {
		t.Error("a string parsed as a number")
	}
}

// A receiver counts a repeated (sender, seq) as a duplicate and an older one as out of order.
func TestBookkeeping(t *testing.T) {
	r := newRun(Config{URL: "http://127.0.0.1:1", Namespace: "/chat", EIO: 4}, 2, 100)
	c := &client{r: r, seen: make([]uint64, r.senders*r.words), lastSeq: []int32{-1, -1}}
	for _, p := range []string{
		`42/chat,["new-message",{"s":0,"q":5,"t":1}]`,
		`42/chat,["new-message",{"s":0,"q":70,"t":1}]`,
		`42/chat,["new-message",{"s":0,"q":6,"t":1}]`,  // out of order
		`42/chat,["new-message",{"s":0,"q":70,"t":1}]`, // duplicate
		`42/chat,["new-message",{"s":1,"q":0,"t":1}]`,
		`42/chat,["new-message",{"s":2,"q":0,"t":1}]`, // no such sender
		`42/chat,["other",{"s":1,"q":1,"t":1}]`,       // not ours
		`42/other,["new-message",{"s":1,"q":1,"t":1}]`,
		`42/chatroom,["new-message",{"s":1,"q":1,"t":1}]`,
	} {
		c.handle([]byte(p))
	}
	if u, d, o, m := r.unique.Load(), r.dups.Load(), r.order.Load(), r.malformed.Load(); u != 4 || d != 1 || o != 1 || m != 1 {
		t.Fatalf("unique %d, duplicates %d, out of order %d, malformed %d; want 4, 1, 1, 1", u, d, o, m)
	}
	if len(c.lat) != 4 {
		t.Fatalf("%d latencies recorded, want 4", len(c.lat))
	}
}
