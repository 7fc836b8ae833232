package engine

import (
	"math"

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
