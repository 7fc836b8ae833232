package engine

import (
	"bytes"
	"sync"
	"sync/atomic"

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
//
// The engine walks its maps and sets and builds a fresh list of recipients for every
// broadcast, so the lists of the most common broadcasts, to the whole namespace or to one
// room without exclusions, are kept between broadcasts, and dropped whenever any socket joins
// or leaves any room (connecting and disconnecting included).
type broadcastAdapter struct {
	sio.Adapter
	// recipients holds, by recipientsKey, the sockets of the broadcasts chosen since the last
	// change of membership; a change replaces the whole map.
	recipients atomic.Pointer[sync.Map]
	// rec keeps packets and sessions for connection state recovery; nil when it is off.
	rec *recoveryStore
}

// recipientsKey names a kept list of recipients: the whole namespace, or one room.
type recipientsKey struct {
	room sio.Room
	all  bool
}

// broadcastAdapterBuilder makes a broadcastAdapter for each namespace, all sharing one
// recovery store when recovery is on.
type broadcastAdapterBuilder struct{ rec *recoveryStore }

// New wraps the engine's adapter for nsp.
func (b broadcastAdapterBuilder) New(nsp sio.Namespace) sio.Adapter {
	a := &broadcastAdapter{Adapter: sio.NewAdapter(nsp), rec: b.rec}
	a.dropKept()
	a.Prototype(a)
	return a
}

// AddAll adds a socket to rooms, and drops the kept recipient lists.
func (a *broadcastAdapter) AddAll(id sio.SocketId, rooms *types.Set[sio.Room]) {
	a.Adapter.AddAll(id, rooms)
	a.dropKept()
}

// Del removes a socket from a room, and drops the kept recipient lists.
func (a *broadcastAdapter) Del(id sio.SocketId, room sio.Room) {
	a.Adapter.Del(id, room)
	a.dropKept()
}

// DelAll removes a socket from all its rooms, and drops the kept recipient lists.
func (a *broadcastAdapter) DelAll(id sio.SocketId) {
	a.Adapter.DelAll(id)
	a.dropKept()
}

// dropKept replaces the kept recipient lists by none.
func (a *broadcastAdapter) dropKept() { a.recipients.Store(new(sync.Map)) }

// chosen returns the sockets opts selects: a kept list when there is one (see
// broadcastAdapter), else the engine's choice. Kept lists are stored in the map current when
// the choice began, so a list chosen while the membership changed is never used: the change
// has replaced that map. A socket in a list may have disconnected since; callers check.
func (a *broadcastAdapter) chosen(opts *sio.BroadcastOptions) []*sio.Socket {
	key, keep := recipientsKeyOf(opts)
	var kept *sync.Map
	if keep {
		kept = a.recipients.Load()
		if l, ok := kept.Load(key); ok {
			return l.([]*sio.Socket)
		}
	}
	var list []*sio.Socket
	a.FetchSockets(opts)(func(sockets []sio.SocketDetails, _ error) {
		list = make([]*sio.Socket, 0, len(sockets))
		for _, d := range sockets {
			if s, ok := d.(*sio.Socket); ok {
				list = append(list, s)
			}
		}
	})
	if keep {
		kept.Store(key, list)
	}
	return list
}

// recipientsKeyOf tells whether the recipients of opts may be kept, and under which key: a
// broadcast to the whole namespace or to one room, with no exclusions.
func recipientsKeyOf(opts *sio.BroadcastOptions) (recipientsKey, bool) {
	if opts == nil {
		return recipientsKey{all: true}, true
	}
	if opts.Except != nil && opts.Except.Len() > 0 {
		return recipientsKey{}, false
	}
	rooms := 0
	if opts.Rooms != nil {
		rooms = opts.Rooms.Len()
	}
	switch rooms {
	case 0:
		return recipientsKey{all: true}, true
	case 1:
		return recipientsKey{room: opts.Rooms.Keys()[0]}, true
	}
	return recipientsKey{}, false
}

// Broadcast sends packet to the sockets opts selects. A recipient on ioroute's websocket
// transport gets the encoded packet queued straight into its connection (queueText); any
// other recipient (polling, binary attachments) goes through the engine's client. The
// transport is asserted to its concrete type, which is one comparison per recipient.
func (a *broadcastAdapter) Broadcast(packet *parser.Packet, opts *sio.BroadcastOptions) {
	if a.rec != nil && storable(packet, opts) {
		a.broadcastStored(packet, opts)
		return
	}
	writeOpts := &sio.WriteOptions{PreEncoded: true}
	if opts != nil && opts.Flags != nil {
		writeOpts.Volatile = opts.Flags.Volatile
		writeOpts.Compress = opts.Flags.Compress
	}
	packet.Nsp = a.Nsp().Name()
	var text []byte // the packet as one text payload, when it has no binary attachments
	var encoded []types.BufferInterface
	tb := textBuffers.Get().(*textBuffer)
	defer putTextBuffer(tb)
	if encodeText(packet, tb) {
		text = tb.buf.Bytes()
	} else {
		encoded = a.Nsp().Server().Encoder().Encode(packet)
		if len(encoded) == 1 {
			if sb, ok := encoded[0].(*types.StringBuffer); ok {
				text = sb.Bytes()
			}
		}
	}
	queued := 0 // deliveries that bypass the engine socket, for the Observer
	for _, s := range a.chosen(opts) {
		if !s.Connected() {
			continue
		}
		notifyOutgoing(s, packet)
		if t, ok := s.Conn().Transport().(*wsTransport); ok {
			if writeOpts.Volatile && t.busy() {
				continue // as the engine does: a volatile packet is dropped when it would wait
			}
			if t.queuePacket(text, encoded) {
				queued++
				continue
			}
		}
		if encoded == nil { // made by encodeText: the engine gets a copy it may keep
			encoded = []types.BufferInterface{types.NewStringBuffer(bytes.Clone(text))}
		}
		s.Client().WriteToEngine(encoded, writeOpts)
	}
	if queued > 0 {
		a.observeDelivered(packet, queued, len(text))
	}
}
