package engine

import (
	"time"

	"github.com/zishang520/socket.io/parsers/socket/v3/parser"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
)

// SessionKeeper is a namespace adapter that keeps recovery sessions and the packets sent
// meanwhile itself, elsewhere than this node's memory (a cluster's Redis stream, where
// another node may have written them): EnableSharedRecovery lets it, and CatchUp and Forget
// hand it the sockets it restored.
type SessionKeeper interface {
	// CatchUp sends a restored socket, once admitted, what it missed.
	CatchUp(s *sio.Socket)
	// Forget drops what is kept for a restored socket that was not admitted.
	Forget(s *sio.Socket)
}

// EnableSharedRecovery turns recovery on, as EnableRecovery, for a server whose namespace
// adapters keep the sessions and packets themselves (SessionKeeper, which must wrap the
// adapters TuneEngine installed): nothing is kept in this node's memory.
func EnableSharedRecovery(opts *sio.ServerOptions, maxDisconnection time.Duration) {
	c := &sio.ConnectionStateRecovery{}
	c.SetMaxDisconnectionDuration(maxDisconnection.Milliseconds())
	c.SetSkipMiddlewares(false)
	opts.SetConnectionStateRecovery(c)
}

// OffsetWriter delivers packets whose offsets are given by the caller (a cluster's stream
// ids) to this node's sockets, as a recovery store does its own: the offset is the last
// argument, Engine.IO 3 sockets get none, and writes that cannot go straight into ioroute's
// websocket queue go through the engine in order. Callers serialise their calls.
type OffsetWriter struct{ engine engineWrites }

// Broadcast delivers packet with offset to the sockets of local (a namespace adapter
// TuneEngine installed) that opts selects but those skip names. packet.Data is left as it
// was.
func (w *OffsetWriter) Broadcast(local sio.Adapter, packet *parser.Packet, opts *sio.BroadcastOptions, offset string, skip func(sio.SocketId) bool) {
	a, ok := local.(*broadcastAdapter)
	plain, _ := packet.Data.([]any)
	withOffset := append(append(make([]any, 0, len(plain)+1), plain...), offset)
	if !ok {
		// not ioroute's adapter: the engine's own delivery, the offset for everyone
		packet.Data = withOffset
		local.Broadcast(packet, opts)
		packet.Data = plain
		return
	}
	packet.Nsp = a.Nsp().Name()
	packet.Data = withOffset
	encoded := a.Nsp().Server().Encoder().Encode(packet)
	live := storedPacket{text: textOf(encoded), encoded: encoded}
	a.deliverWithOffset(packet, plain, withOffset, &live, opts, &w.engine, skip)
	packet.Data = plain
}

// Write sends s one EVENT of its namespace whose data (the offset last) it missed.
func (w *OffsetWriter) Write(s *sio.Socket, data []any) {
	if !s.Connected() {
		return
	}
	packet := &parser.Packet{Type: parser.EVENT, Nsp: s.Nsp().Name(), Data: data}
	encoded := s.Nsp().Server().Encoder().Encode(packet)
	p := storedPacket{text: textOf(encoded), encoded: encoded}
	writeStored(s, &p, &sio.WriteOptions{PreEncoded: true}, &w.engine)
}

// keeperOf is the SessionKeeper of s's namespace, if its adapter is one.
func keeperOf(s *sio.Socket) (SessionKeeper, bool) {
	k, ok := s.Nsp().Adapter().(SessionKeeper)
	return k, ok
}
