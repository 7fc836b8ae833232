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
	seq    uint64   // this node's number for it (seqField)
	id     streamID // once written
}

// seqField is the entry field that numbers this node's broadcasts that get an offset, so
// that the reader knows each when it reads it back whatever its data (Node's servers read
// uid, nsp, type and data only).
const seqField = "ioroute-seq"

// written records the id Redis gave o's entry. Called by the writer.
func (s *Streams) written(o *ownBroadcast, id streamID) {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	if s.readOwn.take(o.seq) {
		return // the reader got there first, and delivered the entry
	}
	o.id = id
	if !id.after(s.last) {
		s.deliverOwn(o) // the reader passed it without seeing it: trimmed
		return
	}
	s.own = append(s.own, o)
}

// ownEntry handles this node's entry id (broadcast seq), read back: false when the reader is
// to deliver the entry as read (the writer has not recorded it yet; it is noted), true when
// it was delivered already (early) or now from what was kept of it. Called with deliverMu
// held.
func (s *Streams) ownEntry(id streamID, seq uint64) bool {
	if s.early.take(seq) {
		return true
	}
	s.flushOwn(id, false)
	if len(s.own) > 0 && s.own[0].seq == seq {
		o := s.own[0]
		s.own[0] = nil
		s.own = s.own[1:]
		s.deliverOwn(o)
		return true
	}
	s.readOwn.add(seq)
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
func (s *Streams) deliverEarly(o *ownBroadcast) {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	if s.readOwn.take(o.seq) {
		return
	}
	s.early.add(o.seq)
	o.a.Adapter.Broadcast(o.packet, o.opts)
}
