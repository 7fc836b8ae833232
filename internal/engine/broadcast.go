package engine

import (
	"fmt"

	"github.com/zishang520/socket.io/parsers/socket/v3/parser"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// everyone is the options of a broadcast to a whole namespace: no rooms, no exclusions, no
// flags. Adapters only read a broadcast's options, so every such broadcast shares these.
var everyone = &sio.BroadcastOptions{Rooms: types.NewSet[sio.Room](), Except: types.NewSet[sio.Room](), Flags: &sio.BroadcastFlags{}}

// BroadcastAll sends event with args to every socket of ns, as ns.Emit does, without the
// engine's broadcast operator: ns.Emit makes one per broadcast, with two sets and its flags,
// which a chat pays for every message. An acknowledgement among args is the operator's to
// handle, so such a broadcast is ns.Emit's.
func BroadcastAll(ns sio.Namespace, event string, args []any) error {
	if n := len(args); n > 0 {
		if _, ok := args[n-1].(sio.Ack); ok {
			return ns.Emit(event, args...)
		}
	}
	if sio.SOCKET_RESERVED_EVENTS.Has(event) {
		return fmt.Errorf(`"%s" is a reserved event name`, event)
	}
	data := make([]any, 1, len(args)+1)
	data[0] = event
	data = append(data, args...)
	ns.Proto().Adapter().Broadcast(&parser.Packet{Type: parser.EVENT, Data: data}, everyone)
	return nil
}
