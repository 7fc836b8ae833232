package streams

import (
	"github.com/zishang520/socket.io/parsers/socket/v3/parser"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
)

// ownBroadcast is one of this node's broadcasts that gets an offset: its entry's id. It
// reaches this node's sockets when the reader reaches that entry, in stream order; and, should
// the stream have trimmed the entry before the reader read it (the reader more than maxlen
// behind), when the reader passes its id: a node never loses its own broadcasts.
type ownBroadcast struct {
	a      *adapter
	packet *parser.Packet
	opts   *sio.BroadcastOptions
	id     streamID
}

// maxSeenOwn bounds seenOwn: ids whose XADD answer never came (a failure after Redis wrote
// the entry) are forgotten past it.
const maxSeenOwn = 4096

// written records the id Redis gave o's entry. Called by the writer.
func (s *Streams) written(o *ownBroadcast, id streamID) {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	if s.seenOwn[id] {
		delete(s.seenOwn, id) // the reader got there first, and delivered the entry
		return
	}
	o.id = id
	if !id.after(s.last) {
		s.deliverOwn(o) // the reader passed it without seeing it: trimmed
		return
	}
	s.own = append(s.own, o)
}

// ownEntry delivers this node's entry id, read back, from what was kept of it; ok is false
// when the writer has not recorded it yet (the reader then delivers the entry as read, and
// notes it, by id and by data). Called with deliverMu held.
func (s *Streams) ownEntry(id streamID, data string) bool {
	s.flushOwn(id, false)
	if len(s.own) > 0 && s.own[0].id == id {
		o := s.own[0]
		s.own[0] = nil
		s.own = s.own[1:]
		s.deliverOwn(o)
		return true
	}
	if len(s.seenOwn) >= maxSeenOwn {
		clear(s.seenOwn)
	}
	s.seenOwn[id] = true
	s.readOwn.add(data)
	return false
}

// flushOwn delivers the kept broadcasts whose entries the reader will not see: ids before
// upTo (and upTo itself when inclusive). Called with deliverMu held.
func (s *Streams) flushOwn(upTo streamID, inclusive bool) {
	for len(s.own) > 0 && (upTo.after(s.own[0].id) || (inclusive && upTo == s.own[0].id)) {
		o := s.own[0]
		s.own[0] = nil
		s.own = s.own[1:]
		s.deliverOwn(o)
	}
}

// deliverOwn delivers o with its id as offset. Called with deliverMu held.
func (s *Streams) deliverOwn(o *ownBroadcast) {
	s.writer.Broadcast(o.a.Adapter, o.packet, o.opts, o.id.String(), s.skipPending(o.a.nsp))
}

// skipPending names the restored sockets of nsp not yet caught up (CatchUp sends them what
// the reader handled). Called with deliverMu held.
func (s *Streams) skipPending(nsp string) func(sio.SocketId) bool {
	return func(sid sio.SocketId) bool {
		if len(s.pending) == 0 {
			return false
		}
		_, ok := s.pending[pendingKey{nsp, sid}]
		return ok
	}
}

// deliverEarly delivers one of this node's broadcasts at once, without offset: Redis is away,
// or its write failed. A write that failed may still have reached the stream (an answer that
// came too late): if the reader has delivered the entry already, it is not delivered again,
// and else the reader will skip it (early).
func (s *Streams) deliverEarly(a *adapter, data string, packet *parser.Packet, opts *sio.BroadcastOptions) {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	if s.readOwn.take(data) {
		return
	}
	s.early.add(data)
	a.Adapter.Broadcast(packet, opts)
}
