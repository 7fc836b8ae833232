package router

import (
	"slices"

	"github.com/zishang520/socket.io/parsers/socket/v3/parser"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// clusterAdapter is a namespace's local adapter that also publishes its broadcasts to the
// cluster. Everything else (rooms, joins, fetching sockets) stays local: the router only
// broadcasts across nodes.
type clusterAdapter struct {
	sio.Adapter
	c *cluster
}

// clusterAdapterBuilder wraps the adapters local builds in clusterAdapters.
type clusterAdapterBuilder struct {
	local sio.AdapterConstructor
	c     *cluster
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

// publishPacket publishes a broadcast of nsp on the channel Node's adapter would use.
func (c *cluster) publishPacket(nsp string, packet *parser.Packet, opts *sio.BroadcastOptions) {
	data, ok := packet.Data.([]any)
	if !ok {
		return
	}
	wp := wirePacket{Type: packetEvent, Data: data, Nsp: nsp}
	var wo wireOpts
	if opts != nil {
		wo.Rooms = roomList(opts.Rooms)
		wo.Except = roomList(opts.Except)
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
	b, err := encodeBroadcast(c.uid, wp, wo)
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
func (c *cluster) onBroadcast(nsp string, payload []byte) {
	m, err := decodeBroadcast(payload)
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
	if m.Packet.Nsp != nsp || (m.Packet.Type != packetEvent && m.Packet.Type != packetBinaryEvent) {
		return
	}
	ns := c.r.namespace(nsp)
	if ns == nil {
		return // a namespace no table of this node declared
	}
	ns.Adapter().Broadcast(&parser.Packet{Type: parser.EVENT, Nsp: nsp, Data: m.Packet.Data}, localOpts(&m.Opts))
}

// localOpts turns wire options into engine options for delivery on this node only.
func localOpts(o *wireOpts) *sio.BroadcastOptions {
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
	return &sio.BroadcastOptions{Rooms: roomSet(o.Rooms), Except: roomSet(o.Except), Flags: flags}
}

func roomSet(rooms []string) *types.Set[sio.Room] {
	s := types.NewSet[sio.Room]()
	for _, r := range rooms {
		s.Add(sio.Room(r))
	}
	return s
}

func roomList(s *types.Set[sio.Room]) []string {
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
func (c *cluster) onRequest(nsp string, payload []byte) {
	req, err := decodeRequest(payload)
	if err != nil {
		c.log.Warn("cluster adapter: ignoring a malformed request", "namespace", nsp, "error", err)
		return
	}
	if req.UID == c.uid {
		return
	}
	ns := c.r.namespace(nsp) // nil for a namespace no table of this node declared
	respond := func(v map[string]any) {
		v["requestId"] = req.RequestID
		b, err := encodeResponse(v)
		if err != nil {
			c.log.Warn("cluster adapter: cannot encode a response", "namespace", nsp, "error", err)
			return
		}
		c.send(c.responseChannel(nsp), b)
	}
	switch req.Type {
	case reqRemoteJoin, reqRemoteLeave, reqRemoteDisconn:
		c.onRemoteChange(ns, req, respond)
	case reqSockets:
		ids := []string{}
		if ns != nil {
			for _, id := range ns.Adapter().Sockets(roomSet(req.Rooms)).Keys() {
				ids = append(ids, string(id))
			}
		}
		respond(map[string]any{"sockets": ids})
	case reqAllRooms:
		rooms := []string{}
		if ns != nil {
			for _, r := range ns.Adapter().Rooms().Keys() {
				rooms = append(rooms, string(r))
			}
		}
		respond(map[string]any{"rooms": rooms})
	case reqRemoteFetch:
		respond(map[string]any{"sockets": c.fetch(ns, req.Opts)})
	case reqBroadcast:
		c.onBroadcastWithAck(ns, nsp, req, respond)
	case reqServerSideEmit:
	default:
		c.log.Debug("cluster adapter: ignoring an unknown request", "namespace", nsp, "type", req.Type)
	}
}

// onRemoteChange joins, leaves or disconnects this node's sockets: those opts selects
// (@socket.io/redis-emitter), or the one socket named by sid (another server).
func (c *cluster) onRemoteChange(ns sio.Namespace, req wireRequest, respond func(map[string]any)) {
	if ns == nil {
		return
	}
	rooms := make([]sio.Room, len(req.Rooms))
	for i, r := range req.Rooms {
		rooms[i] = sio.Room(r)
	}
	if req.Opts != nil {
		opts := localOpts(req.Opts)
		switch req.Type {
		case reqRemoteJoin:
			ns.Adapter().AddSockets(opts, rooms)
		case reqRemoteLeave:
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
	case reqRemoteJoin:
		s.Join(sio.Room(req.Room))
	case reqRemoteLeave:
		s.Leave(sio.Room(req.Room))
	default:
		s.Disconnect(req.Close)
	}
	respond(map[string]any{})
}

// fetch describes this node's sockets that opts selects, as fetchSockets expects them.
func (c *cluster) fetch(ns sio.Namespace, o *wireOpts) []map[string]any {
	out := []map[string]any{}
	if ns == nil {
		return out
	}
	ns.Adapter().FetchSockets(localOpts(o))(func(sockets []sio.SocketDetails, _ error) {
		for _, d := range sockets {
			h := d.Handshake()
			rooms := []string{}
			for _, r := range d.Rooms().Keys() {
				rooms = append(rooms, string(r))
			}
			out = append(out, map[string]any{
				"id": string(d.Id()), "rooms": rooms, "data": d.Data(),
				"handshake": map[string]any{"headers": h.Headers, "time": h.Time, "address": h.Address,
					"xdomain": h.Xdomain, "secure": h.Secure, "issued": h.Issued, "url": h.Url,
					"query": h.Query, "auth": h.Auth},
			})
		}
	})
	return out
}

// onBroadcastWithAck delivers a broadcast that expects acknowledgements (Node's
// io.timeout(ms).emit(...)) and reports the number of recipients and each answer.
func (c *cluster) onBroadcastWithAck(ns sio.Namespace, nsp string, req wireRequest, respond func(map[string]any)) {
	if ns == nil || req.Packet == nil {
		return
	}
	opts := localOpts(req.Opts)
	packet := &parser.Packet{Type: parser.EVENT, Nsp: nsp, Data: req.Packet.Data}
	ns.Adapter().BroadcastWithAck(packet, opts, func(n uint64) {
		respond(map[string]any{"type": respBroadcastCount, "clientCount": n})
	}, func(args []any, err error) {
		if err != nil {
			return
		}
		var arg any
		if len(args) > 0 {
			arg = args[0]
		}
		respond(map[string]any{"type": respBroadcastAck, "packet": arg})
	})
}

var _ sio.Adapter = (*clusterAdapter)(nil)
