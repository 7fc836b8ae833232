package engine

import (
	"math"
	"reflect"

	sio "github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// The engine hands events over with binary attachments as read-once buffers and every number
// as float64, and encodes maps only as map[string]any. These functions convert between its
// values and plain ones (JSON values and []byte), which is what ioroute's expressions read and
// write.

// maxExactInt is the largest integer a float64 (a JavaScript number) holds exactly, 2^53.
const maxExactInt = 1 << 53

// Incoming converts what a client sent (event arguments, acknowledgement replies) to plain
// values, in place, and returns args:
//   - the engine's read-once binary buffers become []byte, so they survive being read (and
//     echoed) more than once;
//   - integral numbers within ±2^53 become int, as JavaScript makes no difference between 5
//     and 5.0 and expressions should not either: `data % 2`, `list[data.i]` and `data == 5`
//     need integers, and `5 / 2` is still 2.5. Numbers from the cluster's msgpack (int8 …
//     uint64, float32) become int or float64 the same way.
//
// Maps and lists are changed in place, and only where something was converted. The router
// calls it for every event it handles.
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

// incomingValue returns v converted, and whether v itself was replaced.
func incomingValue(v any) (any, bool) {
	switch x := v.(type) {
	case string, bool, nil:
	case float64:
		if x >= -maxExactInt && x <= maxExactInt && x == math.Trunc(x) {
			return int(x), true
		}
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
	case types.BufferInterface:
		return append([]byte(nil), x.Bytes()...), true
	case int:
	case int8:
		return int(x), true
	case int16:
		return int(x), true
	case int32:
		return int(x), true
	case int64:
		return intOrFloat(float64(x), x >= -maxExactInt && x <= maxExactInt, int(x))
	case uint8:
		return int(x), true
	case uint16:
		return int(x), true
	case uint32:
		return int(x), true
	case uint64:
		return intOrFloat(float64(x), x <= maxExactInt, int(x))
	case float32:
		return incomingFloat(float64(x))
	}
	return v, false
}

// incomingFloat is a number as the engine's JSON decoder would have made it, converted.
func incomingFloat(f float64) (any, bool) {
	if n, changed := incomingValue(f); changed {
		return n, true
	}
	return f, true
}

// intOrFloat is i when it is exact as a JavaScript number, else f.
func intOrFloat(f float64, exact bool, i int) (any, bool) {
	if exact {
		return i, true
	}
	return f, true
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
