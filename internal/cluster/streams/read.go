package streams

import (
	"errors"
	"strconv"

	"github.com/redis/go-redis/v9"
	"github.com/zishang520/socket.io/parsers/socket/v3/parser"
	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/internal/cluster"
	"github.com/ioroute/ioroute/internal/cluster/wire"
)

// read follows the stream from after id, reconnecting with backoff when Redis is lost.
func (s *Streams) read(from string) {
	defer s.wg.Done()
	var backoff cluster.Backoff
	for {
		if s.down.Load() {
			// a blocked read that finds nothing answers only after blockTime: ask first
			if err := s.reader.Ping(s.ctx).Err(); err == nil {
				s.restored()
			}
		}
		res, err := s.reader.XRead(s.ctx, &redis.XReadArgs{Streams: []string{s.o.Stream, from}, Count: readCount, Block: blockTime}).Result()
		if s.ctx.Err() != nil {
			return
		}
		if errors.Is(err, redis.Nil) {
			continue // nothing new within the block time
		}
		if err != nil {
			s.log.Debug("cluster adapter: reading the stream failed", "error", err)
			s.lost(err)
			if !backoff.Wait(s.ctx) {
				return
			}
			continue
		}
		backoff.Reset()
		s.restored()
		for _, st := range res {
			if len(st.Messages) > 0 {
				s.onEntries(st.Messages)
				from = st.Messages[len(st.Messages)-1].ID
			}
		}
	}
}

// onEntries handles entries in stream order, under deliverMu: stored broadcasts reach this
// node's sockets with their id as offset, in the order of the stream.
func (s *Streams) onEntries(entries []redis.XMessage) {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	for _, e := range entries {
		id, ok := parseID(e.ID)
		if !ok {
			continue
		}
		s.onEntry(e, id)
		s.last = id
	}
	s.flushOwn(s.last, true)
}

// onEntry handles one entry. A panic while handling it is logged and counted; the node goes
// on reading.
func (s *Streams) onEntry(e redis.XMessage, id streamID) {
	defer func() {
		if p := recover(); p != nil {
			s.host.Recovered(p, "cluster adapter: handling a stream entry panicked; the node goes on", "id", e.ID)
		}
	}()
	m, ok, err := wire.DecodeEntry(e.Values)
	if !ok {
		return
	}
	if err != nil {
		s.log.Warn("cluster adapter: ignoring a malformed stream entry", "id", e.ID, "error", err)
		return
	}
	own := m.UID == s.uid
	if !own {
		s.stats.received.Add(1)
	}
	a := s.adapterOf(m.Nsp)
	if a == nil {
		return // a namespace no table of this node declared
	}
	switch m.Type {
	case wire.MsgBroadcast:
		if own && s.o.Recovery <= 0 {
			return // delivered when it was sent
		}
		var d wire.BroadcastData
		if err := m.DecodeData(&d); err != nil {
			s.log.Warn("cluster adapter: ignoring a malformed broadcast", "id", e.ID, "error", err)
			return
		}
		if d.RequestID != nil {
			if !own {
				s.onBroadcastWithAck(a, m.UID, d)
			}
			return
		}
		stored := s.o.Recovery > 0 && storedData(d)
		if own && (!stored || s.ownEntry(id, entrySeq(e))) {
			return // delivered when it was sent, or now from what was kept of it
		}
		s.deliver(a, d, e.ID, stored)
	case wire.MsgSocketsJoin, wire.MsgSocketsLeave, wire.MsgDisconnectSockets:
		if !own {
			s.onRemoteChange(a, m)
		}
	}
}

// storedData tells whether a broadcast gets an offset, as Node's addOffsetIfNecessary
// decides: an event without acknowledgement, not volatile.
func storedData(d wire.BroadcastData) bool {
	if d.Packet.Type != wire.PacketEvent && d.Packet.Type != wire.PacketBinaryEvent {
		return false
	}
	v, set := d.Opts.Flags["volatile"]
	return !set || v == nil
}

// deliver sends a broadcast to this node's sockets: with id as offset when stored, passing by
// the restored sockets not yet caught up (CatchUp sends them what the reader handled).
// Called with deliverMu held.
func (s *Streams) deliver(a *adapter, d wire.BroadcastData, id string, stored bool) {
	packet := &parser.Packet{Type: parser.EVENT, Nsp: a.nsp, Data: []any(d.Packet.Data)}
	opts := cluster.LocalOpts(&d.Opts)
	if !stored {
		a.Adapter.Broadcast(packet, opts)
		return
	}
	s.writer.Broadcast(a.Adapter, packet, opts, id, s.skipPending(a.nsp))
}

// onRemoteChange joins, leaves or disconnects this node's sockets another server selected.
func (s *Streams) onRemoteChange(a *adapter, m wire.Message) {
	switch m.Type {
	case wire.MsgSocketsJoin, wire.MsgSocketsLeave:
		var d wire.RoomsData
		if err := m.DecodeData(&d); err != nil {
			s.log.Warn("cluster adapter: ignoring a malformed request", "type", m.Type, "error", err)
			return
		}
		rooms := make([]sio.Room, len(d.Rooms))
		for i, r := range d.Rooms {
			rooms[i] = sio.Room(r)
		}
		if m.Type == wire.MsgSocketsJoin {
			a.Adapter.AddSockets(cluster.LocalOpts(&d.Opts), rooms)
		} else {
			a.Adapter.DelSockets(cluster.LocalOpts(&d.Opts), rooms)
		}
	default:
		var d wire.DisconnectData
		if err := m.DecodeData(&d); err != nil {
			s.log.Warn("cluster adapter: ignoring a malformed request", "type", m.Type, "error", err)
			return
		}
		// on its own goroutine: disconnect handlers run, and may broadcast or fetch sockets
		go a.Adapter.DisconnectSockets(cluster.LocalOpts(&d.Opts), d.Close)
	}
}

// adapterOf is the adapter of namespace nsp on this node, or nil.
func (s *Streams) adapterOf(nsp string) *adapter {
	ns := s.host.Namespace(nsp)
	if ns == nil {
		return nil
	}
	a, _ := ns.Adapter().(*adapter)
	return a
}

// entrySeq is the seqField of one of this node's entries (0, which no broadcast has, when it
// has none).
func entrySeq(e redis.XMessage) uint64 {
	v, _ := e.Values[seqField].(string)
	n, _ := strconv.ParseUint(v, 10, 64)
	return n
}
