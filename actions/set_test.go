package actions

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ioroute/ioroute/internal/tmpl"
)

// TestSetMerges: set merges its keys into the socket's data, removes those set to null, and
// later steps of the run read the new socket.data; the map the socket held is not changed.
func TestSetMerges(t *testing.T) {
	steps := compileTest(t, tmpl.EventScope, `[{set: {nick: "${{ data.name }}", role: admin, old: null}}, {emit: {event: e, data: "${{ socket.data }}"}}]`)
	ctx, conn := testContext(map[string]any{"name": "ann"})
	before := map[string]any{"old": 1.0, "kept": true}
	conn.data = before
	if err := steps.Run(ctx); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"nick": "ann", "role": "admin", "kept": true}
	if !reflect.DeepEqual(conn.data, want) {
		t.Fatalf("data = %v, want %v", conn.data, want)
	}
	if got := conn.emitted[0].Args[0]; !reflect.DeepEqual(got, want) {
		t.Fatalf("a later step read socket.data = %v, want %v", got, want)
	}
	if !reflect.DeepEqual(before, map[string]any{"old": 1.0, "kept": true}) {
		t.Fatalf("the socket's previous map changed: %v", before)
	}
}

// TestSetFailureKeepsData: a refused SetData (over the size limit) fails the step, and the run
// reads the data as it was.
func TestSetFailureKeepsData(t *testing.T) {
	steps := compileTest(t, tmpl.EventScope, `[{set: {a: 1}}]`)
	ctx, conn := testContext(nil)
	conn.setErr = errFull
	err := steps.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "full") {
		t.Fatalf("err = %v", err)
	}
	if len(ctx.Env.Socket.Data) != 0 {
		t.Fatalf("socket.data = %v after a failed set", ctx.Env.Socket.Data)
	}
}

// TestSetStoresSendableValues: a value is stored as it would be sent: a date as its JSON text.
func TestSetStoresSendableValues(t *testing.T) {
	steps := compileTest(t, tmpl.EventScope, `[{set: {at: "${{ now() }}", blob: "${{ bytes('hi') }}"}}]`)
	ctx, conn := testContext(nil)
	if err := steps.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := conn.data["at"].(string); !ok {
		t.Errorf("at = %#v, want the date's JSON text", conn.data["at"])
	}
	if b, ok := conn.data["blob"].([]byte); !ok || string(b) != "hi" {
		t.Errorf("blob = %#v, want binary data", conn.data["blob"])
	}
}
