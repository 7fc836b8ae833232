package cluster

import (
	"slices"

	"github.com/zishang520/socket.io/parsers/socket/v3/parser"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/ioroute/ioroute/internal/cluster/wire"
	"github.com/ioroute/ioroute/internal/engine"
)

// clusterAdapter is a namespace's local adapter that also reaches the other servers of the
// cluster, as Node's RedisAdapter does: broadcasts are published, and the engine's
// fetchSockets, socketsJoin, socketsLeave and disconnectSockets send the matching requests.
// Rooms and membership stay local to each server.
type clusterAdapter struct {
	sio.Adapter
	c *Cluster
}

// AdapterBuilder returns the engine's adapter constructor for a server in the cluster: each
// namespace's adapter is one local builds, which also publishes its broadcasts to the other
// nodes.
func (c *Cluster) AdapterBuilder(local sio.AdapterConstructor) sio.AdapterConstructor {
	return clusterAdapterBuilder{local: local, c: c}
}

// clusterAdapterBuilder wraps the adapters local builds in clusterAdapters.
type clusterAdapterBuilder struct {
	local sio.AdapterConstructor
	c     *Cluster
}

// New makes the adapter of nsp.
func (b clusterAdapterBuilder) New(nsp sio.Namespace) sio.Adapter {
	return &clusterAdapter{Adapter: b.local.New(nsp), c: b.c}
}

// Broadcast delivers packet to this node's sockets that opts selects and, unless opts asks
// for local delivery only, publishes it for the other nodes.
func (a *clusterAdapter) Broadcast(packet *parser.Packet, opts *sio.BroadcastOptions) {
	if opts == nil || opts.Flags == nil || !opts.Flags.Local {
		a.c.publishPacket(string(a.Nsp().Name()), packet, opts)
	}
	a.Adapter.Broadcast(packet, opts)
}

// FetchSockets returns this node's sockets that opts selects and, unless opts asks for local
// ones only, those of the other servers (a REMOTE_FETCH request), as Node's adapter does.
// The returned function calls its callback once, before it returns: it waits for one answer
// from each other server (Cluster.ServerCount less this node), up to Options.RequestsTimeout.
// When Redis cannot count the servers, or some do not answer in time (*RequestTimeoutError),
// the callback gets what arrived and the error. It waits on the caller's goroutine, so it
// must not be called on the one that receives from Redis (where the answers arrive); the
// cluster's own handlers of requests only ask for local sockets.
func (a *clusterAdapter) FetchSockets(opts *sio.BroadcastOptions) func(func([]sio.SocketDetails, error)) {
	return func(callback func([]sio.SocketDetails, error)) {
		var local []sio.SocketDetails
		var err error
		a.Adapter.FetchSockets(opts)(func(s []sio.SocketDetails, e error) { local, err = s, e })
		if err != nil || OnlyLocal(opts) {
			callback(local, err)
			return
		}
		callback(a.c.fetchSockets(a.Nsp().Name(), requestOpts(opts), local))
	}
}

// AddSockets makes this node's sockets that opts selects join rooms and, unless opts asks for
// local ones only, asks the other servers to do the same with theirs (REMOTE_JOIN). Like
// Node's adapter, it waits for no answer; while Redis is away the request is dropped and
// counted, as broadcasts are.
func (a *clusterAdapter) AddSockets(opts *sio.BroadcastOptions, rooms []sio.Room) {
	a.Adapter.AddSockets(opts, rooms)
	if !OnlyLocal(opts) {
		b, err := wire.EncodeRoomsRequest(a.c.uid, wire.ReqRemoteJoin, requestOpts(opts), roomNames(rooms))
		a.c.sendRequest(a.Nsp().Name(), "socketsJoin", b, err)
	}
}

// DelSockets makes this node's sockets that opts selects leave rooms and, unless opts asks for
// local ones only, asks the other servers to do the same with theirs (REMOTE_LEAVE), as
// AddSockets does.
func (a *clusterAdapter) DelSockets(opts *sio.BroadcastOptions, rooms []sio.Room) {
	a.Adapter.DelSockets(opts, rooms)
	if !OnlyLocal(opts) {
		b, err := wire.EncodeRoomsRequest(a.c.uid, wire.ReqRemoteLeave, requestOpts(opts), roomNames(rooms))
		a.c.sendRequest(a.Nsp().Name(), "socketsLeave", b, err)
	}
}

// DisconnectSockets disconnects this node's sockets that opts selects (closing their
// connections when close is set) and, unless opts asks for local ones only, asks the other
// servers to do the same with theirs (REMOTE_DISCONNECT), as AddSockets does.
func (a *clusterAdapter) DisconnectSockets(opts *sio.BroadcastOptions, close bool) {
	a.Adapter.DisconnectSockets(opts, close)
	if !OnlyLocal(opts) {
		b, err := wire.EncodeDisconnectRequest(a.c.uid, requestOpts(opts), close)
		a.c.sendRequest(a.Nsp().Name(), "disconnectSockets", b, err)
	}
}

// OnlyLocal reports whether opts asks for this node's sockets only (Node's `.local`).
func OnlyLocal(opts *sio.BroadcastOptions) bool {
	return opts != nil && opts.Flags != nil && opts.Flags.Local
}

// requestOpts are the recipients of opts as requests carry them.
func requestOpts(opts *sio.BroadcastOptions) wire.Opts {
	if opts == nil {
		return wire.Opts{Rooms: []string{}, Except: []string{}}
	}
	return wire.Opts{Rooms: RoomList(opts.Rooms), Except: RoomList(opts.Except)}
}

func roomNames(rooms []sio.Room) []string {
	out := make([]string, len(rooms))
	for i, r := range rooms {
		out[i] = string(r)
	}
	return out
}

// sendRequest queues a request of nsp for the other servers; what names it in the log when it
// could not be encoded (err).
func (c *Cluster) sendRequest(nsp, what string, payload []byte, err error) {
	if err != nil {
		c.log.Warn("cluster adapter: cannot encode a request for the other servers", "namespace", nsp, "request", what, "error", err)
		return
	}
	c.send(c.requestChannel(nsp), payload)
}

// publishPacket publishes a broadcast of nsp on the channel Node's adapter would use.
func (c *Cluster) publishPacket(nsp string, packet *parser.Packet, opts *sio.BroadcastOptions) {
	data, ok := packet.Data.([]any)
	if !ok {
		return
	}
	wp := wire.Packet{Type: wire.PacketEvent, Data: data, Nsp: nsp}
	var wo wire.Opts
	if opts != nil {
		wo.Rooms = RoomList(opts.Rooms)
		wo.Except = RoomList(opts.Except)
		if f := opts.Flags; f != nil {
			wo.Flags = map[string]any{}
			if f.Volatile {
				wo.Flags["volatile"] = true
			}
			if f.Compress != nil {
				wo.Flags["compress"] = *f.Compress
			}
		}
	}
	b, err := wire.EncodeBroadcast(c.uid, wp, wo)
	if err != nil {
		c.log.Warn("cluster adapter: cannot encode a broadcast for the other nodes", "namespace", nsp, "error", err)
		return
	}
	channel := c.broadcastChannel(nsp)
	if len(wo.Rooms) == 1 {
		channel += wo.Rooms[0] + "#"
	}
	c.send(channel, b)
}

// onBroadcast delivers a broadcast from another node to this node's sockets.
func (c *Cluster) onBroadcast(nsp string, payload []byte) {
	m, err := wire.DecodeBroadcast(payload)
	if err != nil {
		c.log.Warn("cluster adapter: ignoring a malformed broadcast", "namespace", nsp, "error", err)
		return
	}
	if m.UID == c.uid {
		return
	}
	if m.Packet.Nsp == "" {
		m.Packet.Nsp = "/"
	}
	if m.Packet.Nsp != nsp || (m.Packet.Type != wire.PacketEvent && m.Packet.Type != wire.PacketBinaryEvent) {
		return
	}
	ns := c.host.Namespace(nsp)
	if ns == nil {
		return // a namespace no table of this node declared
	}
	ns.Adapter().Broadcast(&parser.Packet{Type: parser.EVENT, Nsp: nsp, Data: m.Packet.Data}, LocalOpts(&m.Opts))
}

// LocalOpts turns wire options into engine options for delivery on this node only.
func LocalOpts(o *wire.Opts) *sio.BroadcastOptions {
	flags := &sio.BroadcastFlags{Local: true}
	if o == nil {
		return &sio.BroadcastOptions{Rooms: types.NewSet[sio.Room](), Except: types.NewSet[sio.Room](), Flags: flags}
	}
	if v, ok := o.Flags["volatile"].(bool); ok {
		flags.Volatile = v
	}
	if v, ok := o.Flags["compress"].(bool); ok {
		flags.Compress = &v
	}
	return &sio.BroadcastOptions{Rooms: RoomSet(o.Rooms), Except: RoomSet(o.Except), Flags: flags}
}

func RoomSet(rooms []string) *types.Set[sio.Room] {
	s := types.NewSet[sio.Room]()
	for _, r := range rooms {
		s.Add(sio.Room(r))
	}
	return s
}

func RoomList(s *types.Set[sio.Room]) []string {
	if s == nil {
		return []string{}
	}
	out := make([]string, 0, s.Len())
	for _, r := range s.Keys() {
		out = append(out, string(r))
	}
	slices.Sort(out)
	return out
}

// onRequest answers a request from another server or from @socket.io/redis-emitter. The
// router has no server-side listeners, so server-side emits are ignored, as a Node server
// without listeners would.
func (c *Cluster) onRequest(nsp string, payload []byte) {
	req, err := wire.DecodeRequest(payload)
	if err != nil {
		c.log.Warn("cluster adapter: ignoring a malformed request", "namespace", nsp, "error", err)
		return
	}
	if req.UID == c.uid {
		return
	}
	ns := c.host.Namespace(nsp) // nil for a namespace no table of this node declared
	respond := func(v map[string]any) {
		v["requestId"] = req.RequestID
		b, err := wire.EncodeResponse(v)
		if err != nil {
			c.log.Warn("cluster adapter: cannot encode a response", "namespace", nsp, "error", err)
			return
		}
		c.send(c.responseChannel(nsp), b)
	}
	switch req.Type {
	case wire.ReqRemoteJoin, wire.ReqRemoteLeave, wire.ReqRemoteDisconnect:
		c.onRemoteChange(ns, req, respond)
	case wire.ReqSockets:
		ids := []string{}
		if ns != nil {
			for _, id := range ns.Adapter().Sockets(RoomSet(req.Rooms)).Keys() {
				ids = append(ids, string(id))
			}
		}
		respond(map[string]any{"sockets": ids})
	case wire.ReqAllRooms:
		rooms := []string{}
		if ns != nil {
			for _, r := range ns.Adapter().Rooms().Keys() {
				rooms = append(rooms, string(r))
			}
		}
		respond(map[string]any{"rooms": rooms})
	case wire.ReqRemoteFetch:
		respond(map[string]any{"sockets": c.fetch(ns, req.Opts)})
	case wire.ReqBroadcast:
		c.onBroadcastWithAck(ns, nsp, req, respond)
	case wire.ReqServerSideEmit:
	default:
		c.log.Debug("cluster adapter: ignoring an unknown request", "namespace", nsp, "type", req.Type)
	}
}

// onRemoteChange joins, leaves or disconnects this node's sockets: those opts selects
// (@socket.io/redis-emitter), or the one socket named by sid (another server).
func (c *Cluster) onRemoteChange(ns sio.Namespace, req wire.Request, respond func(map[string]any)) {
	if ns == nil {
		return
	}
	rooms := make([]sio.Room, len(req.Rooms))
	for i, r := range req.Rooms {
		rooms[i] = sio.Room(r)
	}
	if req.Opts != nil {
		opts := LocalOpts(req.Opts)
		switch req.Type {
		case wire.ReqRemoteJoin:
			ns.Adapter().AddSockets(opts, rooms)
		case wire.ReqRemoteLeave:
			ns.Adapter().DelSockets(opts, rooms)
		default:
			ns.Adapter().DisconnectSockets(opts, req.Close)
		}
		return
	}
	s, ok := ns.Sockets().Load(sio.SocketId(req.Sid))
	if !ok {
		return
	}
	switch req.Type {
	case wire.ReqRemoteJoin:
		s.Join(sio.Room(req.Room))
	case wire.ReqRemoteLeave:
		s.Leave(sio.Room(req.Room))
	default:
		s.Disconnect(req.Close)
	}
	respond(map[string]any{})
}

// fetch describes this node's sockets that opts selects, as fetchSockets expects them.
func (c *Cluster) fetch(ns sio.Namespace, o *wire.Opts) []map[string]any {
	return DescribeSockets(c.host, ns, o)
}

// DescribeSockets describes the sockets of ns on this node that o selects, as the answers to
// fetchSockets carry them (Node's names; the admin's socket.data._admin when host is an
// AdminHost); none when ns is nil.
func DescribeSockets(host Host, ns sio.Namespace, o *wire.Opts) []map[string]any {
	out := []map[string]any{}
	if ns == nil {
		return out
	}
	ns.Adapter().FetchSockets(LocalOpts(o))(func(sockets []sio.SocketDetails, _ error) {
		for _, d := range sockets {
			rooms := []string{}
			for _, r := range d.Rooms().Keys() {
				rooms = append(rooms, string(r))
			}
			data := d.Data()
			if h, ok := host.(AdminHost); ok {
				if adm := h.SocketAdmin(d); adm != nil {
					m, _ := data.(map[string]any)
					withAdmin := make(map[string]any, len(m)+1)
					for k, v := range m {
						withAdmin[k] = v
					}
					withAdmin["_admin"] = adm
					data = withAdmin
				}
			}
			out = append(out, map[string]any{
				"id": string(d.Id()), "rooms": rooms, "data": data,
				"handshake": engine.HandshakeMap(d.Handshake()),
			})
		}
	})
	return out
}

// onBroadcastWithAck delivers a broadcast that expects acknowledgements (Node's
// io.timeout(ms).emit(...)) and reports the number of recipients and each answer.
func (c *Cluster) onBroadcastWithAck(ns sio.Namespace, nsp string, req wire.Request, respond func(map[string]any)) {
	if ns == nil || req.Packet == nil {
		return
	}
	packet := &parser.Packet{Type: parser.EVENT, Nsp: nsp, Data: req.Packet.Data}
	AckedLocally(ns.Adapter(), packet, LocalOpts(req.Opts), func(n uint64) {
		respond(map[string]any{"type": wire.RespBroadcastCount, "clientCount": n})
	}, func(arg any) {
		respond(map[string]any{"type": wire.RespBroadcastAck, "packet": arg})
	})
}

// AckedLocally delivers, for another node, a broadcast that expects acknowledgements to
// local's sockets that opts selects: count is told how many it reached, ack each socket's
// answer as the adapters' protocols carry it (its first argument; failures, such as a
// timeout, are not reported).
func AckedLocally(local sio.Adapter, packet *parser.Packet, opts *sio.BroadcastOptions, count func(uint64), ack func(arg any)) {
	local.BroadcastWithAck(packet, opts, count, func(args []any, err error) {
		if err != nil {
			return
		}
		var arg any
		if len(args) > 0 {
			arg = args[0]
		}
		ack(arg)
	})
}

var _ sio.Adapter = (*clusterAdapter)(nil)
