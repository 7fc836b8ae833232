package actions

import (
	"bytes"
	"testing"

	"github.com/ioroute/ioroute/internal/tmpl"
)

// TestBinaryIsSentAsItIs: binary data, from a YAML !!binary value, from bytes() or from the
// client, leaves as []byte, the very slice, which the engine sends as an attachment.
func TestBinaryIsSentAsItIs(t *testing.T) {
	in := []byte{0, 1, 2}
	out, err := sendable([]any{in, map[string]any{"b": in}}, nil, "args")
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := out[0].([]byte); !ok || &b[0] != &in[0] {
		t.Fatalf("sent %#v, want the same []byte", out[0])
	}
	steps := compileTest(t, tmpl.EventScope, `[{emit: {event: e, data: !!binary aGk=}}, {emit: {event: e, args: ["${{ bytes('hi') }}", "${{ data }}"]}}]`)
	ctx, conn := testContext(in)
	if err := steps.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if b, ok := conn.emitted[0].Args[0].([]byte); !ok || !bytes.Equal(b, []byte("hi")) {
		t.Fatalf("!!binary sent as %#v", conn.emitted[0].Args[0])
	}
	args := conn.emitted[1].Args
	if b, ok := args[0].([]byte); !ok || string(b) != "hi" {
		t.Fatalf("bytes() sent as %#v", args[0])
	}
	if b, ok := args[1].([]byte); !ok || &b[0] != &in[0] {
		t.Fatalf("the client's binary sent as %#v", args[1])
	}
}
