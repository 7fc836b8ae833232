package engine

import (
	"reflect"

	sio "github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// The engine hands events over with binary attachments as read-once buffers, and encodes maps
// only as map[string]any. These functions convert between its values and plain ones (JSON
// values and []byte), which is what ioroute's expressions read and write.

// Incoming converts event arguments to plain values: the engine's read-once binary buffers
// become []byte, so they survive being read (and echoed) more than once. Maps and lists are
// changed in place, and only where a buffer was found.
func Incoming(args []any) []any {
	for i, a := range args {
		if v, changed := incomingValue(a); changed {
			args[i] = v
		}
	}
	return args
}

// IncomingMap converts a map, such as a handshake's auth payload, in place (Incoming).
func IncomingMap(m map[string]any) { incomingValue(m) }

// incomingValue returns v with its buffers converted, and whether v itself was replaced.
func incomingValue(v any) (any, bool) {
	switch x := v.(type) {
	case types.BufferInterface:
		return append([]byte(nil), x.Bytes()...), true
	case map[string]any:
		for k, e := range x {
			if n, changed := incomingValue(e); changed {
				x[k] = n
			}
		}
	case []any:
		for i, e := range x {
			if n, changed := incomingValue(e); changed {
				x[i] = n
			}
		}
	}
	return v, false
}

// Outgoing prepares values for the engine, whose encoder handles maps only as map[string]any.
// Values are never changed in place: constant templates share them between events.
func Outgoing(args []any) []any {
	for i, a := range args {
		if b, changed := outgoingValue(a); changed {
			out := append([]any(nil), args...)
			out[i] = b
			for j := i + 1; j < len(out); j++ {
				out[j], _ = outgoingValue(out[j])
			}
			return out
		}
	}
	return args
}

// OutgoingValue prepares one value for the engine (Outgoing).
func OutgoingValue(v any) any {
	out, _ := outgoingValue(v)
	return out
}

func outgoingValue(v any) (any, bool) {
	switch x := v.(type) {
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = e
		}
		return m, true
	case map[string]any:
		var out map[string]any
		for k, e := range x {
			if n, changed := outgoingValue(e); changed {
				if out == nil {
					out = make(map[string]any, len(x))
					for k2, e2 := range x {
						out[k2] = e2
					}
				}
				out[k] = n
			}
		}
		if out != nil {
			return out, true
		}
	case []any:
		var out []any
		for i, e := range x {
			if n, changed := outgoingValue(e); changed {
				if out == nil {
					out = append([]any(nil), x...)
				}
				out[i] = n
			}
		}
		if out != nil {
			return out, true
		}
	}
	return v, false
}

// PlainOut prepares args for the engine as Outgoing does, skipping the walk when every
// argument is a scalar or one of plain, the arguments of the event being handled: those were
// decoded from JSON and converted by Incoming, so they hold nothing Outgoing would change.
func PlainOut(args, plain []any) []any {
	for _, a := range args {
		if !plainArg(a, plain) {
			return Outgoing(args)
		}
	}
	return args
}

// plainArg tells whether Outgoing would leave a as it is: a scalar, or a map or list that is
// itself one of the plain arguments.
func plainArg(a any, plain []any) bool {
	switch a.(type) {
	case map[string]string:
		return false
	case map[string]any, []any:
		for _, p := range plain {
			if sameValue(a, p) {
				return true
			}
		}
		return false
	}
	return true
}

// sameValue tells whether a and b are the same map, or the same list (same backing array and
// length).
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		return ok && reflect.ValueOf(x).UnsafePointer() == reflect.ValueOf(y).UnsafePointer()
	case []any:
		y, ok := b.([]any)
		return ok && len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0])
	}
	return false
}

// binaryReporter is a transport that knows whether its client ever sent binary (ioroute's
// websocket transport).
type binaryReporter interface {
	receivedBinary() bool
}

var _ binaryReporter = (*wsTransport)(nil)

// MayHoldBuffers tells whether an event of s may carry binary attachments, which Incoming
// must convert: false only for a socket that has been on ioroute's websocket transport from
// its handshake and has never received a binary packet on it.
func MayHoldBuffers(s *sio.Socket) bool {
	c := s.Conn()
	if c.Upgraded() {
		return true // buffers decoded while polling may be handled after the upgrade
	}
	t, ok := c.Transport().(binaryReporter)
	return !ok || t.receivedBinary()
}
