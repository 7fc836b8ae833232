package router

import (
	"github.com/zishang520/socket.io/parsers/socket/v3/parser"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// broadcastAdapter is the engine's in-memory adapter with a cheaper broadcast. The engine's
// own broadcast hands each recipient's websocket a pre-encoded frame, which the websocket
// transport turns into a gorilla PreparedMessage per recipient (and builds twice, keyed by one
// compression level and looked up at another): most of a chat server's CPU. Here the packet
// is encoded once and written to each recipient as a plain frame. Rooms, exclusions and
// flags keep their meaning: recipients are chosen by the engine's own adapter.
type broadcastAdapter struct {
	sio.Adapter
}

// broadcastAdapterBuilder makes a broadcastAdapter for each namespace.
type broadcastAdapterBuilder struct{}

// New wraps the engine's adapter for nsp.
func (broadcastAdapterBuilder) New(nsp sio.Namespace) sio.Adapter {
	a := &broadcastAdapter{Adapter: sio.NewAdapter(nsp)}
	a.Prototype(a)
	return a
}

// Broadcast sends packet to the sockets opts selects. A recipient on ioroute's websocket
// transport gets the encoded packet queued straight into its connection's frame queue
// (wsTransport.queueText); any other recipient (polling, binary attachments) goes through the
// engine's client as before.
func (a *broadcastAdapter) Broadcast(packet *parser.Packet, opts *sio.BroadcastOptions) {
	writeOpts := &sio.WriteOptions{PreEncoded: true}
	if opts != nil && opts.Flags != nil {
		writeOpts.Volatile = opts.Flags.Volatile
		writeOpts.Compress = opts.Flags.Compress
	}
	packet.Nsp = a.Nsp().Name()
	encoded := a.Nsp().Server().Encoder().Encode(packet)
	var text []byte // the packet as one text payload, when it has no binary attachments
	if len(encoded) == 1 {
		if sb, ok := encoded[0].(*types.StringBuffer); ok {
			text = sb.Bytes()
		}
	}
	a.FetchSockets(opts)(func(sockets []sio.SocketDetails, _ error) {
		for _, d := range sockets {
			s, ok := d.(*sio.Socket)
			if !ok {
				continue
			}
			if notify := s.NotifyOutgoingListeners(); notify != nil {
				notify(packet)
			}
			if text != nil {
				if t, ok := s.Conn().Transport().(*wsTransport); ok {
					if writeOpts.Volatile && t.q.busy() {
						continue // as the engine does: a volatile packet is dropped when it would wait
					}
					if t.queueText(text) {
						continue
					}
				}
			}
			s.Client().WriteToEngine(encoded, writeOpts)
		}
	})
}
