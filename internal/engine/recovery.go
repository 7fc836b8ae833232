package engine

import (
	"bytes"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zishang520/socket.io/parsers/socket/v3/parser"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// Recovery turns on connection state recovery, as Node socket.io 4.6+'s
// connectionStateRecovery: the CONNECT answer carries a private session id (pid), every
// stored EVENT carries an offset as its last argument, and a client that reconnects within
// MaxDisconnection with {pid, offset} gets its id, rooms, data and the packets it missed.
// Sessions and packets are kept by ioroute's broadcast adapter, in memory, on this node.
type Recovery struct {
	// MaxDisconnection is how long a session and the packets are kept.
	MaxDisconnection time.Duration
	// MaxBytes caps the encoded size of the packets kept; the oldest go first.
	MaxBytes int
	// MaxSessions caps the sessions kept at once (ioroute passes server.limits.max_connections):
	// past it a dropped socket's session is not kept, with a log line. 0 means no cap.
	MaxSessions int
	// Log receives a line when packets are dropped for MaxBytes, or sessions for MaxSessions;
	// nil discards.
	Log *slog.Logger
}

// EnableRecovery turns recovery on for a server tuned by TuneEngine. The engine's own
// skip-middlewares switch stays off: ioroute's guard runs for a recovered socket too, and
// decides itself what of the connect handler to skip. Call CatchUp once a recovered socket is
// admitted.
func EnableRecovery(opts *sio.ServerOptions, r Recovery) {
	if r.Log == nil {
		r.Log = slog.New(slog.DiscardHandler)
	}
	c := &sio.ConnectionStateRecovery{}
	c.SetMaxDisconnectionDuration(r.MaxDisconnection.Milliseconds())
	c.SetSkipMiddlewares(false)
	opts.SetConnectionStateRecovery(c)
	opts.SetAdapter(broadcastAdapterBuilder{rec: newRecoveryStore(r)})
}

// recoveryStore holds, for every namespace of a server, the packets sent with an offset and
// the sessions of the sockets that dropped. One lock orders storing a packet with delivering
// it, so that every client receives stored packets in offset order, and a recovered socket's
// catch-up with the broadcasts around it (none missed, none twice).
type recoveryStore struct {
	cfg Recovery
	// maxBytes and maxSessions are cfg.MaxBytes and cfg.MaxSessions, changed by
	// SetRecoveryLimits (a reload).
	maxBytes, maxSessions atomic.Int64

	mu sync.Mutex
	// seq is the offset of the newest packet stored (offsets are seq in base 36);
	// dropped the newest offset dropped from packets (0: none).
	seq, dropped uint64
	packets      packetLog
	engine       engineWrites
	bytes        int
	sessions     map[sio.PrivateSessionId]*keptSession
	// pending are the recovered sockets not yet caught up, by namespace and id: broadcasts
	// pass them by, CatchUp sends them what they missed from the store.
	pending   map[pendingKey]*keptSession
	lastSweep time.Time
	// dropsUnlogged counts the packets dropped for MaxBytes since the last log line.
	dropsUnlogged int
	lastDropLog   time.Time
	// sessionsUnlogged counts the sessions not kept for MaxSessions since the last log line.
	sessionsUnlogged int
	lastSessionLog   time.Time
}

type storedPacket struct {
	seq    uint64
	at     time.Time
	nsp    string
	rooms  []sio.Room
	except []sio.Room
	// text is the packet encoded as one text payload (a copy of its own, so a kept packet
	// holds no more than its bytes); encoded is kept instead when it has binary attachments.
	text    []byte
	encoded []types.BufferInterface
	size    int
}

// packetLog is a queue of stored packets in blocks of a fixed size, so that keeping many
// packets never copies them to grow, and dropping the oldest frees their block.
type packetLog struct {
	blocks [][]storedPacket
	head   int // index of the oldest packet in blocks[0]
	n      int
}

const packetBlock = 256

func (l *packetLog) push(p storedPacket) {
	if len(l.blocks) == 0 || len(l.blocks[len(l.blocks)-1]) == packetBlock {
		l.blocks = append(l.blocks, make([]storedPacket, 0, packetBlock))
	}
	last := len(l.blocks) - 1
	l.blocks[last] = append(l.blocks[last], p)
	l.n++
}

// front is the oldest packet; the log must not be empty.
func (l *packetLog) front() *storedPacket { return &l.blocks[0][l.head] }

// popFront drops the oldest packet; the log must not be empty.
func (l *packetLog) popFront() {
	l.blocks[0][l.head] = storedPacket{}
	l.head++
	l.n--
	if l.head == len(l.blocks[0]) && (l.head == packetBlock || l.n == 0) {
		l.blocks[0] = nil
		l.blocks = l.blocks[1:]
		l.head = 0
		if len(l.blocks) == 0 {
			l.blocks = nil
		}
	}
}

// each calls fn with every packet, oldest first.
func (l *packetLog) each(fn func(*storedPacket)) {
	for i, b := range l.blocks {
		start := 0
		if i == 0 {
			start = l.head
		}
		for j := start; j < len(b); j++ {
			fn(&b[j])
		}
	}
}

type keptSession struct {
	nsp    string
	sid    sio.SocketId
	pid    sio.PrivateSessionId
	rooms  []sio.Room
	data   any
	at     time.Time
	offset uint64 // the client's offset, once restored
	// dropped is when the socket dropped (at is reset when it is restored): a session given
	// back keeps its window.
	dropped time.Time
}

type pendingKey struct {
	nsp string
	sid sio.SocketId
}

func newRecoveryStore(r Recovery) *recoveryStore {
	st := &recoveryStore{cfg: r, sessions: map[sio.PrivateSessionId]*keptSession{}, pending: map[pendingKey]*keptSession{}}
	st.maxBytes.Store(int64(r.MaxBytes))
	st.maxSessions.Store(int64(r.MaxSessions))
	return st
}

// SetRecoveryLimits changes the caps on the packets (bytes) and sessions kept for recovery
// by ns's server (the store is shared by its namespaces); the next packet stored trims to
// them. It does nothing when recovery is off.
func SetRecoveryLimits(ns sio.Namespace, bytes, sessions int) {
	if a, ok := ns.Adapter().(*broadcastAdapter); ok && a.rec != nil {
		a.rec.maxBytes.Store(int64(bytes))
		a.rec.maxSessions.Store(int64(sessions))
	}
}

// storable tells whether a packet is stored and gets an offset, as Node's
// SessionAwareAdapter decides: events without an acknowledgement, not volatile.
func storable(packet *parser.Packet, opts *sio.BroadcastOptions) bool {
	if packet.Type != parser.EVENT && packet.Type != parser.BINARY_EVENT {
		return false
	}
	if packet.Id != nil {
		return false
	}
	return opts == nil || opts.Flags == nil || !opts.Flags.Volatile
}

// expire drops packets older than the window and, at most once a second, expired sessions.
// Called with mu held.
func (st *recoveryStore) expire(now time.Time) {
	cutoff := now.Add(-st.cfg.MaxDisconnection)
	for st.packets.n > 0 && st.packets.front().at.Before(cutoff) {
		st.dropOldest()
	}
	if now.Sub(st.lastSweep) < time.Second {
		return
	}
	st.lastSweep = now
	for pid, s := range st.sessions {
		if s.at.Before(cutoff) {
			delete(st.sessions, pid)
		}
	}
	for k, s := range st.pending {
		if s.at.Before(cutoff) {
			delete(st.pending, k)
		}
	}
}

// dropOldest drops the oldest packet. Called with mu held.
func (st *recoveryStore) dropOldest() {
	p := st.packets.front()
	st.dropped = p.seq
	st.bytes -= p.size
	st.packets.popFront()
}

// add stores a packet, then drops the oldest while the store is over MaxBytes. Called with
// mu held.
func (st *recoveryStore) add(p storedPacket, now time.Time) {
	st.packets.push(p)
	st.bytes += p.size
	dropped := 0
	limit := int(st.maxBytes.Load())
	for st.bytes > limit && st.packets.n > 0 {
		st.dropOldest()
		dropped++
	}
	if dropped == 0 {
		return
	}
	st.dropsUnlogged += dropped
	if now.Sub(st.lastDropLog) >= 10*time.Second {
		st.cfg.Log.Warn("recovery: packets dropped to stay within server.limits.recovery_bytes; clients that missed them reconnect as new sockets",
			"dropped", st.dropsUnlogged, "limit_bytes", limit)
		st.dropsUnlogged, st.lastDropLog = 0, now
	}
}

// includes tells whether a socket in rooms was a recipient of p, as Node's
// shouldIncludePacket: no rooms or one of them, and none of the exclusions.
func (p *storedPacket) includes(rooms []sio.Room) bool {
	included := len(p.rooms) == 0
	for _, r := range rooms {
		for _, x := range p.except {
			if x == r {
				return false
			}
		}
		if !included {
			for _, in := range p.rooms {
				if in == r {
					included = true
					break
				}
			}
		}
	}
	return included
}

func roomList(s *types.Set[sio.Room]) []sio.Room {
	if s == nil || s.Len() == 0 {
		return nil
	}
	return s.Keys()
}

// broadcastStored stores packet with an offset as its last argument and delivers it, both
// under the store's lock. Engine.IO 3 recipients get it without the offset.
func (a *broadcastAdapter) broadcastStored(packet *parser.Packet, opts *sio.BroadcastOptions) {
	st := a.rec
	nsp := a.Nsp().Name()
	packet.Nsp = nsp
	plain := packet.Data
	args, _ := plain.([]any)
	st.mu.Lock()
	defer st.mu.Unlock()
	now := time.Now()
	st.expire(now)
	st.seq++
	withOffset := make([]any, len(args)+1)
	copy(withOffset, args)
	withOffset[len(args)] = strconv.FormatUint(st.seq, 36)
	packet.Data = withOffset
	encoded := a.Nsp().Server().Encoder().Encode(packet)
	live := storedPacket{text: textOf(encoded), encoded: encoded} // what is sent now
	p := storedPacket{seq: st.seq, at: now, nsp: nsp}
	if live.text != nil {
		p.text = bytes.Clone(live.text)
		p.size = len(p.text)
	} else {
		p.encoded = encoded
		for _, b := range encoded {
			p.size += b.Len()
		}
	}
	if opts != nil {
		p.rooms, p.except = roomList(opts.Rooms), roomList(opts.Except)
	}
	p.size += 64 + 16*(len(p.rooms)+len(p.except))
	st.add(p, now)

	skip := func(sid sio.SocketId) bool {
		if len(st.pending) == 0 {
			return false
		}
		_, ok := st.pending[pendingKey{nsp, sid}]
		return ok // CatchUp sends it from the store
	}
	a.deliverWithOffset(packet, plain, withOffset, &live, opts, &st.engine, skip)
}

// deliverWithOffset writes packet, whose Data is withOffset and encoded as live, to the
// sockets opts selects but those skip names; Engine.IO 3 recipients get it encoded from plain,
// without the offset. Writes that do not go straight into ioroute's websocket queue go
// through w, in order. Callers serialise their calls, so every recipient gets packets in
// offset order.
func (a *broadcastAdapter) deliverWithOffset(packet *parser.Packet, plain, withOffset any, live *storedPacket, opts *sio.BroadcastOptions, w *engineWrites, skip func(sio.SocketId) bool) {
	var writeOpts sio.WriteOptions
	writeOpts.PreEncoded = true
	if opts != nil && opts.Flags != nil {
		writeOpts.Compress = opts.Flags.Compress
	}
	var old []types.BufferInterface // for Engine.IO 3 recipients, encoded when first needed
	queued := 0
	for _, s := range a.chosen(opts) {
		if !s.Connected() || skip(s.Id()) {
			continue
		}
		notifyOutgoing(s, packet)
		if s.Conn().Protocol() == 3 {
			if old == nil {
				packet.Data = plain
				old = a.Nsp().Server().Encoder().Encode(packet)
				packet.Data = withOffset
			}
			w.push(engineWrite{s, old, &writeOpts})
			continue
		}
		if writeStored(s, live, &writeOpts, w) {
			queued++
		}
	}
	if queued > 0 {
		a.observeDelivered(packet, queued, len(live.text))
	}
}

// textOf returns encoded as one text payload, or nil when it has binary attachments.
func textOf(encoded []types.BufferInterface) []byte {
	if len(encoded) == 1 {
		if sb, ok := encoded[0].(*types.StringBuffer); ok {
			return sb.Bytes()
		}
	}
	return nil
}

// writeStored writes a stored packet to s, straight into ioroute's websocket queue when it
// can (true), else through the engine's client, in order, from w. Called with the lock that
// orders the packets held.
func writeStored(s *sio.Socket, p *storedPacket, opts *sio.WriteOptions, w *engineWrites) bool {
	if t, ok := s.Conn().Transport().(*wsTransport); ok && t.queuePacket(p.text, p.encoded) {
		return true
	}
	encoded := p.encoded
	if encoded == nil {
		encoded = []types.BufferInterface{types.NewStringBuffer(p.text)}
	}
	w.push(engineWrite{s, encoded, opts})
	return false
}

// engineWrites writes packets through the engine's client, in the order they were pushed, on
// a goroutine of its own while there are any. The store's lock is not held there: a polling
// write that fails closes the socket at once, and the disconnect handler that then runs may
// broadcast, which takes the lock. (ioroute's websocket queue never closes synchronously, so
// it is written under the lock.)
type engineWrites struct {
	mu      sync.Mutex
	pending []engineWrite
	running bool
}

type engineWrite struct {
	s       *sio.Socket
	encoded []types.BufferInterface
	opts    *sio.WriteOptions
}

func (w *engineWrites) push(x engineWrite) {
	w.mu.Lock()
	w.pending = append(w.pending, x)
	start := !w.running
	w.running = true
	w.mu.Unlock()
	if start {
		go w.run()
	}
}

func (w *engineWrites) run() {
	for {
		w.mu.Lock()
		batch := w.pending
		w.pending = nil
		if len(batch) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		for i, x := range batch {
			x.s.Client().WriteToEngine(x.encoded, x.opts)
			batch[i] = engineWrite{}
		}
	}
}

// PersistSession keeps the session of a socket that dropped (Engine.IO 3 sockets aside: they
// are never recovered).
func (a *broadcastAdapter) PersistSession(session *sio.SessionToPersist) {
	if a.rec == nil || session == nil {
		return
	}
	if s, ok := a.Nsp().Sockets().Load(session.Sid); ok && s.Conn().Protocol() == 3 {
		return
	}
	st := a.rec
	st.mu.Lock()
	defer st.mu.Unlock()
	now := time.Now()
	st.expire(now)
	if limit := int(st.maxSessions.Load()); limit > 0 && len(st.sessions) >= limit {
		st.lastSweep = time.Time{}
		st.expire(now) // sweep the expired ones now
		if len(st.sessions) >= limit {
			st.sessionsUnlogged++
			if now.Sub(st.lastSessionLog) >= 10*time.Second {
				st.cfg.Log.Warn("recovery: sessions not kept, as many are kept as server.limits.max_connections; those clients reconnect as new sockets",
					"not_kept", st.sessionsUnlogged, "kept", len(st.sessions))
				st.sessionsUnlogged, st.lastSessionLog = 0, now
			}
			return
		}
	}
	st.sessions[session.Pid] = &keptSession{nsp: a.Nsp().Name(), sid: session.Sid, pid: session.Pid,
		rooms: roomList(session.Rooms), data: session.Data, at: now, dropped: now}
}

// RestoreSession returns the session of pid when it is kept for this namespace, not expired,
// and every packet after offset is still stored; the session is taken (a pid is used once).
// The missed packets are not returned: the engine would send them before the socket is
// admitted. CatchUp sends them once it is.
func (a *broadcastAdapter) RestoreSession(pid sio.PrivateSessionId, offset string) (*sio.Session, error) {
	if a.rec == nil {
		return nil, nil
	}
	st := a.rec
	st.mu.Lock()
	defer st.mu.Unlock()
	now := time.Now()
	st.expire(now)
	s, ok := st.sessions[pid]
	if !ok || s.nsp != a.Nsp().Name() {
		return nil, nil
	}
	delete(st.sessions, pid)
	if now.Sub(s.at) > st.cfg.MaxDisconnection {
		return nil, nil
	}
	seq, err := strconv.ParseUint(offset, 36, 64)
	if err != nil || seq > st.seq || seq < st.dropped || seq == 0 {
		return nil, nil // malformed, from the future, or packets after it were dropped
	}
	if _, taken := a.Nsp().Sockets().Load(s.sid); taken {
		return nil, nil
	}
	s.offset, s.at = seq, now
	st.pending[pendingKey{s.nsp, s.sid}] = s
	return &sio.Session{SessionToPersist: &sio.SessionToPersist{
		Sid: s.sid, Pid: s.pid, Rooms: types.NewSet(s.rooms...), Data: s.data,
	}}, nil
}

// CatchUp sends a recovered socket, once admitted, the packets it missed, in order; from then
// on broadcasts reach it as any other socket. It does nothing for a socket not recovered.
func CatchUp(s *sio.Socket) {
	if k, ok := keeperOf(s); ok {
		k.CatchUp(s)
		return
	}
	takePending(s, func(st *recoveryStore, p *keptSession) {
		if !s.Connected() {
			return
		}
		opts := &sio.WriteOptions{PreEncoded: true}
		st.packets.each(func(sp *storedPacket) {
			if sp.seq > p.offset && sp.nsp == p.nsp && sp.includes(p.rooms) {
				writeStored(s, sp, opts, &st.engine)
			}
		})
	})
}

// GiveBack returns a recovered socket's session to the store as it was before the socket
// took it, for a socket that the router refuses before admitting it because it may not
// recover at all (a socket.io-client 2 presenting a pid): the session's owner can still
// recover with it.
func GiveBack(s *sio.Socket) {
	if k, ok := keeperOf(s); ok {
		// a cluster's keeper took the session from Redis; it is not put back there
		k.Forget(s)
		return
	}
	takePending(s, func(st *recoveryStore, p *keptSession) {
		p.at, p.offset = p.dropped, 0
		st.sessions[p.pid] = p
	})
}

// Forget drops what is kept for a recovered socket that was not admitted.
func Forget(s *sio.Socket) {
	if k, ok := keeperOf(s); ok {
		k.Forget(s)
		return
	}
	takePending(s, func(*recoveryStore, *keptSession) {})
}

// takePending takes, under the store's lock, the session a recovered socket of this node's
// store restored and that waits for the socket to be admitted, and hands it to fn (the lock
// still held); nothing happens for any other socket.
func takePending(s *sio.Socket, fn func(st *recoveryStore, p *keptSession)) {
	a, ok := s.Nsp().Adapter().(*broadcastAdapter)
	if !ok || a.rec == nil {
		return
	}
	st := a.rec
	key := pendingKey{a.Nsp().Name(), s.Id()}
	st.mu.Lock()
	defer st.mu.Unlock()
	if p, ok := st.pending[key]; ok {
		delete(st.pending, key)
		fn(st, p)
	}
}
