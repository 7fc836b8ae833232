package engine

import (
	"sync/atomic"

	"github.com/zishang520/socket.io/parsers/socket/v3/parser"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// outgoingListened counts the sockets given an outgoing listener through ListenOutgoing.
// Asking a socket for its outgoing listeners costs a lock, a copy and an allocation, for
// every recipient of every broadcast, and ioroute puts such listeners on sockets only while
// an Admin UI watches: while the count is zero, broadcasts do not ask.
var outgoingListened atomic.Int64

// ListenOutgoing puts fn on s as its outgoing listener (sio.Socket.OnAnyOutgoing), in a way
// ioroute's broadcasts see. Each call must be matched by one UnlistenOutgoing.
func ListenOutgoing(s *sio.Socket, fn types.EventListener) {
	outgoingListened.Add(1)
	s.OnAnyOutgoing(fn)
}

// UnlistenOutgoing takes the outgoing listeners off s.
func UnlistenOutgoing(s *sio.Socket) {
	s.OffAnyOutgoing(nil)
	outgoingListened.Add(-1)
}

// notifyOutgoing tells s's outgoing listeners of packet, as the engine does for what it sends.
func notifyOutgoing(s *sio.Socket, packet *parser.Packet) {
	if outgoingListened.Load() == 0 {
		return
	}
	if notify := s.NotifyOutgoingListeners(); notify != nil {
		notify(packet)
	}
}
