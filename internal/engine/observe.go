package engine

import (
	"sync"

	"github.com/zishang520/socket.io/parsers/socket/v3/parser"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
)

// Observer is told of the broadcast deliveries that ioroute's adapter queues straight into
// websocket connections (broadcastAdapter.Broadcast). Those never pass through the engine's
// socket, so whoever counts what the engine socket sends ("packetCreate") would miss them;
// every other delivery does pass there.
type Observer interface {
	// Delivered is told that event of namespace nsp reached recipients sockets, each sent
	// size bytes (the encoded Socket.IO packet). It is called once per broadcast, on the
	// broadcasting goroutine, so it must be quick.
	Delivered(nsp, event string, recipients, size int)
}

// observers holds the Observer of each server that has one (Observe).
var observers sync.Map // *sio.Server -> Observer

// Observe makes o the Observer of srv's broadcasts, until Unobserve.
func Observe(srv *sio.Server, o Observer) { observers.Store(srv, o) }

// Unobserve forgets srv's Observer.
func Unobserve(srv *sio.Server) { observers.Delete(srv) }

// observeDelivered tells a's server's Observer, if any, of one broadcast of packet queued to
// recipients sockets, size bytes each.
func (a *broadcastAdapter) observeDelivered(packet *parser.Packet, recipients, size int) {
	v, ok := observers.Load(a.Nsp().Server())
	if !ok {
		return
	}
	event := ""
	if data, ok := packet.Data.([]any); ok && len(data) > 0 {
		event, _ = data[0].(string)
	}
	v.(Observer).Delivered(string(packet.Nsp), event, recipients, size)
}
