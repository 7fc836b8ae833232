package streams

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/ioroute/ioroute/internal/cluster"
	"github.com/ioroute/ioroute/internal/cluster/wire"
	"github.com/ioroute/ioroute/internal/engine"
)

// pendingKey names a restored socket not yet caught up.
type pendingKey struct {
	nsp string
	sid sio.SocketId
}

// restoring is a restored socket's session until CatchUp: the client's offset, its rooms, and
// the entries after the offset read when it was restored.
type restoring struct {
	offset  streamID
	rooms   []string
	entries []redis.XMessage
	upTo    streamID // the last entry read (offset when none)
}

// PersistSession keeps the session of a socket that dropped in Redis, for
// server.recovery.max_disconnection, as the Node adapter does. Engine.IO 3 sockets are never
// recovered.
func (a *adapter) PersistSession(session *sio.SessionToPersist) {
	if a.s.o.Recovery <= 0 || session == nil {
		return
	}
	if s, ok := a.Nsp().Sockets().Load(session.Sid); ok && s.Conn().Protocol() == 3 {
		return
	}
	rooms := []string{}
	if session.Rooms != nil {
		rooms = cluster.RoomList(session.Rooms)
	}
	v, err := wire.EncodeSession(wire.Session{Sid: string(session.Sid), Pid: string(session.Pid), Rooms: rooms,
		Data: session.Data, Nsp: a.nsp})
	if err != nil {
		a.s.log.Warn("recovery: cannot encode a session; that client reconnects as a new socket", "namespace", a.nsp, "error", err)
		return
	}
	a.s.send(outbound{key: a.s.o.SessionPrefix + string(session.Pid), value: v, ttl: a.s.o.Recovery})
}

// RestoreSession takes the session of pid from Redis (it is used once) and, when offset is
// still in the stream, returns it; the entries after offset are read now and sent by CatchUp
// once the socket is admitted. A malformed offset is refused before the session is taken, an
// unknown pid, an offset no longer (or never) in this stream, a session of another
// namespace, or Redis away give a new socket.
func (a *adapter) RestoreSession(pid sio.PrivateSessionId, offset string) (*sio.Session, error) {
	s := a.s
	if s.o.Recovery <= 0 {
		return nil, nil
	}
	from, ok := parseID(offset)
	if !ok {
		return nil, errors.New("invalid offset")
	}
	ctx, cancel := context.WithTimeout(s.ctx, restoreLimit)
	defer cancel()
	key := s.o.SessionPrefix + string(pid)
	tx := s.client.TxPipeline()
	get := tx.Get(ctx, key)
	tx.Del(ctx, key)
	at := tx.XRange(ctx, s.o.Stream, offset, offset)
	_, err := tx.Exec(ctx)
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	raw, err := get.Result()
	if err != nil {
		return nil, nil // no such session, or expired
	}
	if found, err := at.Result(); err != nil || len(found) == 0 {
		return nil, nil // the offset is not (or no longer) in the stream
	}
	sess, err := wire.DecodeSession(raw)
	if err != nil || sess.Sid == "" || sess.Pid != string(pid) || (sess.Nsp != "" && sess.Nsp != a.nsp) {
		return nil, nil
	}
	sid := sio.SocketId(sess.Sid)
	if _, taken := a.Nsp().Sockets().Load(sid); taken {
		return nil, nil
	}
	r := &restoring{offset: from, rooms: sess.Rooms, upTo: from}
	if err := s.readAfter(ctx, r, streamID{^uint64(0), ^uint64(0)}); err != nil {
		return nil, err
	}
	s.deliverMu.Lock()
	s.pending[pendingKey{a.nsp, sid}] = r
	s.deliverMu.Unlock()
	rooms := types.NewSet[sio.Room]()
	for _, room := range sess.Rooms {
		rooms.Add(sio.Room(room))
	}
	return &sio.Session{SessionToPersist: &sio.SessionToPersist{
		Sid: sid, Pid: pid, Rooms: rooms, Data: engine.Incoming([]any{sess.Data})[0],
	}}, nil
}

// restoreBatch bounds the entries one XRANGE of a catch-up reads.
const restoreBatch = 1000

// readAfter reads the entries after r.upTo, up to limit (or the end of the stream), into r.
func (s *Streams) readAfter(ctx context.Context, r *restoring, limit streamID) error {
	for {
		batch, err := s.client.XRangeN(ctx, s.o.Stream, r.upTo.next(), "+", restoreBatch).Result()
		if err != nil {
			return err
		}
		for _, e := range batch {
			id, _ := parseID(e.ID)
			if id.after(limit) {
				return nil
			}
			r.entries = append(r.entries, e)
			r.upTo = id
		}
		if len(batch) < restoreBatch {
			return nil
		}
	}
}

// CatchUp sends a restored socket, once admitted, the broadcasts it missed: those of its
// namespace and rooms after its offset, up to the last entry the reader has handled (the
// reader sends it those after). It does nothing for a socket not restored.
func (a *adapter) CatchUp(sock *sio.Socket) {
	s := a.s
	key := pendingKey{a.nsp, sock.Id()}
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	r, ok := s.pending[key]
	if !ok {
		return
	}
	delete(s.pending, key)
	if s.last.after(r.upTo) {
		// the reader has handled entries read after the session was restored
		ctx, cancel := context.WithTimeout(s.ctx, restoreLimit)
		err := s.readAfter(ctx, r, s.last)
		cancel()
		if err != nil {
			s.log.Warn("recovery: cannot read the packets a recovered socket missed; closing it, it reconnects as a new socket",
				"namespace", a.nsp, "socket", sock.Id(), "error", err)
			go sock.Disconnect(true)
			return
		}
	}
	sent := 0
	defer func() {
		s.log.Debug("recovery: caught up a restored socket", "namespace", a.nsp, "socket", sock.Id(), "read", len(r.entries), "sent", sent)
	}()
	for _, e := range r.entries {
		if id, _ := parseID(e.ID); id.after(s.last) {
			break // the reader sends it
		}
		m, ok, err := wire.DecodeEntry(e.Values)
		if !ok || err != nil || m.Nsp != a.nsp || m.Type != wire.MsgBroadcast {
			continue
		}
		var d wire.BroadcastData
		if m.DecodeData(&d) != nil || d.RequestID != nil || !storedData(d) || !includes(r.rooms, d.Opts) {
			continue
		}
		data := append(append(make([]any, 0, len(d.Packet.Data)+1), d.Packet.Data...), e.ID)
		s.writer.Write(sock, data)
		sent++
	}
}

// includes tells whether a socket in rooms was a recipient of a broadcast to o, as Node's
// shouldIncludePacket: no rooms or one of them, and none of the exclusions.
func includes(rooms []string, o wire.Opts) bool {
	in := len(o.Rooms) == 0
	for _, r := range rooms {
		for _, x := range o.Except {
			if x == r {
				return false
			}
		}
		for _, y := range o.Rooms {
			if y == r {
				in = true
			}
		}
	}
	return in
}

// Forget drops what is kept for a restored socket that was not admitted.
func (a *adapter) Forget(sock *sio.Socket) {
	a.s.deliverMu.Lock()
	delete(a.s.pending, pendingKey{a.nsp, sock.Id()})
	a.s.deliverMu.Unlock()
}
