package streams

import (
	"strconv"

	"github.com/zishang520/socket.io/parsers/socket/v3/parser"
	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/internal/cluster"
	"github.com/ioroute/ioroute/internal/cluster/wire"
	"github.com/ioroute/ioroute/internal/engine"
)

// adapter is a namespace's local adapter that also reaches the other servers of a streams
// cluster, and keeps recovery sessions in Redis (engine.SessionKeeper).
type adapter struct {
	sio.Adapter // the local adapter: this node's rooms and sockets
	s           *Streams
	nsp         string
}

var (
	_ sio.Adapter          = (*adapter)(nil)
	_ engine.SessionKeeper = (*adapter)(nil)
)

// AdapterBuilder returns the engine's adapter constructor for a server in the cluster.
func (s *Streams) AdapterBuilder(local sio.AdapterConstructor) sio.AdapterConstructor {
	return builder{local: local, s: s}
}

type builder struct {
	local sio.AdapterConstructor
	s     *Streams
}

// New makes the adapter of nsp.
func (b builder) New(nsp sio.Namespace) sio.Adapter {
	return &adapter{Adapter: b.local.New(nsp), s: b.s, nsp: nsp.Name()}
}

// wireOpts are the recipients and flags of opts as the Node adapter's encodeOptions writes
// them; volatile and compress are the flags that matter to another server.
func wireOpts(opts *sio.BroadcastOptions) wire.Opts {
	o := wire.Opts{Rooms: []string{}, Except: []string{}, Flags: map[string]any{}}
	if opts == nil {
		return o
	}
	o.Rooms, o.Except = cluster.RoomList(opts.Rooms), cluster.RoomList(opts.Except)
	if f := opts.Flags; f != nil {
		if f.Volatile {
			o.Flags["volatile"] = true
		}
		if f.Compress != nil {
			o.Flags["compress"] = *f.Compress
		}
	}
	return o
}

// stored tells whether a broadcast gets an offset: recovery is on, and the packet is an
// event without acknowledgement, not volatile.
func (a *adapter) stored(packet *parser.Packet, opts *sio.BroadcastOptions) bool {
	if a.s.o.Recovery <= 0 || packet.Id != nil || (packet.Type != parser.EVENT && packet.Type != parser.BINARY_EVENT) {
		return false
	}
	return opts == nil || opts.Flags == nil || !opts.Flags.Volatile
}

// Broadcast delivers packet to this node's sockets that opts selects and, unless opts asks
// for local delivery only, adds it to the stream. A packet that gets an offset reaches this
// node's sockets when the stream gives its entry back (see the package doc); any other at
// once.
func (a *adapter) Broadcast(packet *parser.Packet, opts *sio.BroadcastOptions) {
	data, ok := packet.Data.([]any)
	if cluster.OnlyLocal(opts) || !ok {
		a.Adapter.Broadcast(packet, opts)
		return
	}
	d := wire.BroadcastData{Packet: wire.Packet{Type: wire.PacketEvent, Data: data, Nsp: a.nsp}, Opts: wireOpts(opts)}
	fields, err := wire.EntryFields(a.s.uid, a.nsp, wire.MsgBroadcast, d)
	if err != nil {
		a.s.log.Warn("cluster adapter: cannot encode a broadcast for the other nodes", "namespace", a.nsp, "error", err)
		a.Adapter.Broadcast(packet, opts)
		return
	}
	if !a.stored(packet, opts) {
		a.Adapter.Broadcast(packet, opts)
		a.s.send(outbound{xadd: fields})
		return
	}
	o := &ownBroadcast{a: a, packet: packet, opts: opts, seq: a.s.ownSeq.Add(1)}
	fields = append(fields, seqField, strconv.FormatUint(o.seq, 10))
	if a.s.down.Load() {
		a.s.deliverEarly(o) // no offset while Redis is away; the entry may still reach the others
		a.s.send(outbound{xadd: fields})
		return
	}
	a.s.send(outbound{xadd: fields, own: o, failed: func() { a.s.deliverEarly(o) }})
}

// AddSockets makes this node's sockets that opts selects join rooms and, unless opts asks for
// local ones only, asks the other servers to do the same (an entry of the stream).
func (a *adapter) AddSockets(opts *sio.BroadcastOptions, rooms []sio.Room) {
	a.Adapter.AddSockets(opts, rooms)
	if !cluster.OnlyLocal(opts) {
		a.publish(wire.MsgSocketsJoin, wire.RoomsData{Opts: wireOpts(opts), Rooms: roomNames(rooms)})
	}
}

// DelSockets makes this node's sockets that opts selects leave rooms and, unless opts asks
// for local ones only, asks the other servers to do the same.
func (a *adapter) DelSockets(opts *sio.BroadcastOptions, rooms []sio.Room) {
	a.Adapter.DelSockets(opts, rooms)
	if !cluster.OnlyLocal(opts) {
		a.publish(wire.MsgSocketsLeave, wire.RoomsData{Opts: wireOpts(opts), Rooms: roomNames(rooms)})
	}
}

// DisconnectSockets disconnects this node's sockets that opts selects and, unless opts asks
// for local ones only, asks the other servers to do the same.
func (a *adapter) DisconnectSockets(opts *sio.BroadcastOptions, close bool) {
	a.Adapter.DisconnectSockets(opts, close)
	if !cluster.OnlyLocal(opts) {
		a.publish(wire.MsgDisconnectSockets, wire.DisconnectData{Opts: wireOpts(opts), Close: close})
	}
}

// publish adds a request to the stream.
func (a *adapter) publish(typ int, data any) {
	fields, err := wire.EntryFields(a.s.uid, a.nsp, typ, data)
	if err != nil {
		a.s.log.Warn("cluster adapter: cannot encode a request for the other servers", "namespace", a.nsp, "type", typ, "error", err)
		return
	}
	a.s.send(outbound{xadd: fields})
}

// FetchSockets returns this node's sockets that opts selects and, unless opts asks for local
// ones only, those of the other servers. The returned function calls its callback once,
// before it returns, after waiting for the others' answers (up to the requests timeout); it
// must not be called on a goroutine of the cluster.
func (a *adapter) FetchSockets(opts *sio.BroadcastOptions) func(func([]sio.SocketDetails, error)) {
	return func(callback func([]sio.SocketDetails, error)) {
		var local []sio.SocketDetails
		var err error
		a.Adapter.FetchSockets(opts)(func(s []sio.SocketDetails, e error) { local, err = s, e })
		if err != nil || cluster.OnlyLocal(opts) {
			callback(local, err)
			return
		}
		o := wireOpts(opts)
		o.Flags = nil
		callback(a.s.fetchSockets(a.nsp, o, local))
	}
}

func roomNames(rooms []sio.Room) []string {
	out := make([]string, len(rooms))
	for i, r := range rooms {
		out[i] = string(r)
	}
	return out
}
