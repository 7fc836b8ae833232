package engine

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zishang520/socket.io/parsers/engine/v3/packet"
	"github.com/zishang520/socket.io/servers/engine/v3/transports"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/ioroute/ioroute/internal/ws"
)

// wsTransport is ioroute's websocket transport, plugged into the engine through its transport
// constructor in place of the engine's own. The engine keeps the session (handshake, packets,
// heartbeats, upgrades); the transport owns the connection once it is upgraded:
//
//   - writing goes through a ws.Queue: packets are framed as they are sent, every frame
//     queued while a write is in flight goes out in the next single write, and a client that
//     lets more than maxQueuedBytes wait is disconnected (and logged) instead of holding
//     memory without bound;
//   - reading is a ws.Reader: frames are parsed straight from the TCP connection, and where
//     the system has epoll an idle connection holds no goroutine and no buffer (the engine's
//     transport holds a goroutine blocked in a read, with its stack, per connection).
//
// The websocket library's connection made by the engine's upgrade is let go once the
// transport reads, so its buffers do not stay with every connection either.
type wsTransport struct {
	transports.Transport
	conn *net.TCPConn
	q    *ws.Queue
	r    *ws.Reader
	ws   *types.WebSocketConn
	log  *slog.Logger
	// upgrades learns when a polling session upgrading to this transport sent the probe and
	// when its upgrade is over
	upgrades  *Upgrades
	upgrading atomic.Bool
	sid       string // the session this transport was opened for (empty for a new session)
	// attached: the engine socket sends through this transport (it sent something else than
	// the probe pong of an upgrade), so frames may be queued directly (queueText) without
	// overtaking packets the engine socket still holds from before the upgrade.
	attached atomic.Bool
	closed   sync.Once
	// heartbeat is the session's heartbeat when ioroute runs it (OwnHeartbeats); ended is set
	// once the transport closed, after which no heartbeat is kept for it
	heartbeat atomic.Pointer[beat]
	ended     atomic.Bool
	// the client's PONG to the last PING is handed to the engine twice (pongagain.go)
	awaitingPong atomic.Bool
	pongAgain    atomic.Pointer[time.Timer]
	pongDelay    time.Duration
	// receiver is the session's EventReceiver once it has one (events.go); upgraded is set
	// once a polling session's upgrade to this transport is complete, owed counts the binary
	// attachments the last binary packet still waits for (read on the reading goroutine only)
	receiver atomic.Pointer[receiverRef]
	upgraded atomic.Bool
	owed     int
}

var (
	_ transports.Transport = (*wsTransport)(nil)
	_ ws.Handler           = (*wsTransport)(nil)
)

// errQueueFull is in the disconnect description of a client cut off because it did not read
// what it was sent (its connection's queue was full).
var errQueueFull = errors.New("the client does not read what it is sent")

// maxQueuedBytes bounds what one websocket connection may have waiting to be written. A
// client that stops reading fills its TCP buffers, then this; then it is disconnected.
const maxQueuedBytes = 8 << 20

// closeFlushTimeout bounds how long a closing transport waits for its queued frames to go out.
const closeFlushTimeout = 5 * time.Second

// defaultMaxMessage is the largest message a client may send when the engine sets no limit.
const defaultMaxMessage = 1_000_000

// wsTransportCtor makes wsTransports for the engine, in place of its websocket transport.
type wsTransportCtor struct {
	log      *slog.Logger
	opts     *sio.ServerOptions
	upgrades *Upgrades
}

// Name is the transport's name in the Engine.IO protocol.
func (*wsTransportCtor) Name() string { return transports.WEBSOCKET }

// HandlesUpgrades is true: a polling session may upgrade to websocket.
func (*wsTransportCtor) HandlesUpgrades() bool { return true }

// UpgradesTo is empty: websocket is final.
func (*wsTransportCtor) UpgradesTo() []string { return nil }

// New makes the transport of one websocket connection. When the connection is not a TCP
// connection, or messages may be compressed (permessage-deflate, which ioroute never turns
// on), it is the engine's own transport.
func (c *wsTransportCtor) New(ctx *types.HttpContext) transports.Transport {
	var tcp *net.TCPConn
	if ctx.Websocket != nil && ctx.Websocket.Conn != nil {
		tcp, _ = ctx.Websocket.UnderlyingConn().(*net.TCPConn)
	}
	if tcp == nil || c.opts.PerMessageDeflate() != nil {
		return transports.NewWebSocket(ctx)
	}
	limit := c.opts.MaxHttpBufferSize()
	if limit <= 0 {
		limit = defaultMaxMessage
	}
	base := transports.MakeTransport()
	sid := ctx.Query().Peek("sid")
	t := &wsTransport{Transport: base, conn: tcp, ws: ctx.Websocket, log: c.log, upgrades: c.upgrades, sid: sid,
		pongDelay: pongAgainAfter(c.opts.PingInterval(), c.opts.PingTimeout())}
	r, err := ws.NewReader(t, tcp, limit)
	if err != nil {
		return transports.NewWebSocket(ctx)
	}
	base.Prototype(t) // the engine's Close reaches DoClose through the prototype
	t.r = r
	t.q = ws.NewQueue(tcp, maxQueuedBytes, t.overflowed, t.writeFailed)
	t.Construct(ctx)
	t.SetWritable(true)
	transports.StartReader(t, ctx.TransportReadPermission(), t.read)
	return t
}

// Name is the transport's name in the Engine.IO protocol.
func (*wsTransport) Name() string { return transports.WEBSOCKET }

// HandlesUpgrades is true: a polling session may upgrade to websocket.
func (*wsTransport) HandlesUpgrades() bool { return true }

// read starts reading once the engine allows it (the session is set up). From then on
// nothing uses the websocket library's connection: it is dropped, with its buffers.
func (t *wsTransport) read() {
	t.ws.Conn = nil
	t.r.Start()
}

// Message hands one message from the client to the engine. The upgrade probe and the upgrade
// packet of a polling session moving here are recorded in upgrades: the engine answers the
// probe and completes the upgrade within OnData.
func (t *wsTransport) Message(op ws.Opcode, payload []byte) {
	if op == ws.OpBinary {
		if t.owed > 0 {
			t.owed--
		}
		t.OnData(types.NewBytesBuffer(payload))
		return
	}
	if len(payload) == 1 {
		if b := t.heartbeat.Load(); b != nil && payload[0] == b.heartbeatPacket() {
			b.heard()
		}
	}
	if t.offerEvent(payload) {
		return
	}
	if len(payload) == 6 && string(payload) == "2probe" && t.upgrades != nil && t.sid != "" && t.upgrading.CompareAndSwap(false, true) {
		t.upgrades.start(t.sid, t)
	}
	t.OnData(types.NewStringBuffer(payload))
	if len(payload) == 1 && payload[0] == '5' && t.upgrading.CompareAndSwap(true, false) {
		t.upgrades.end(t.sid)
		t.upgraded.Store(true)
	}
	if len(payload) > 0 && payload[0] == '4' {
		t.owed = attachments(payload) // a Socket.IO packet; pings and pongs may come in between
	}
	if len(payload) == 1 && payload[0] == '3' {
		t.ponged()
	}
}

// Control answers the client's control frames: a pong for a ping, and for a close, a close,
// after which the connection ends.
func (t *wsTransport) Control(op ws.Opcode, payload []byte) {
	switch op {
	case ws.OpPing:
		t.q.Push(ws.OpPong, 0, payload)
	case ws.OpClose:
		t.q.Push(ws.OpClose, 0, ws.ClosePayload(payload))
		t.q.CloseAfterFlush(closeFlushTimeout, t.OnClose)
	}
}

// ReadEnded handles the end of reading: the client went, the connection broke, or the client
// broke the protocol (then it is told why, as RFC 6455 §7.1.7 asks, before the connection
// closes).
func (t *wsTransport) ReadEnded(err error) {
	var werr *ws.Error
	if errors.As(err, &werr) {
		t.q.Push(ws.OpClose, 0, ws.CloseBody(werr.Code))
		t.OnError("websocket error", werr)
		t.q.CloseAfterFlush(closeFlushTimeout, t.OnClose)
		return
	}
	t.OnClose()
}

// Send frames the engine socket's packets into the queue, as the engine's transport would
// write them, and reports them sent ("drain"): the transport never makes the engine socket
// hold packets back, so the queue is the only place they wait.
func (t *wsTransport) Send(packets []*packet.Packet) {
	// One push for all: a binary packet's attachments follow its text with no broadcast
	// frame queued in between.
	var one [1]ws.Frame
	frames := one[:0]
	if len(packets) > 1 {
		frames = make([]ws.Frame, 0, len(packets))
	}
	for _, p := range packets {
		var data types.BufferInterface
		if p.Options != nil && p.Options.WsPreEncodedFrame != nil {
			data = p.Options.WsPreEncodedFrame
		} else {
			var err error
			if data, err = t.Parser().EncodePacket(p, t.SupportsBinary()); err != nil {
				t.OnError("write error", err)
				break
			}
		}
		if p.Type == packet.PING {
			t.pinged()
		}
		op := ws.OpBinary
		if _, ok := data.(*types.StringBuffer); ok {
			op = ws.OpText
		}
		frames = append(frames, ws.Frame{Op: op, Payload: data.Bytes()})
	}
	t.q.PushAll(frames)
	if len(packets) != 1 || packets[0].Type != packet.PONG {
		t.attached.Store(true)
	}
	t.Emit("drain")
}

// busy tells whether frames are waiting or being written.
func (t *wsTransport) busy() bool { return t.q.Busy() }

// queueText queues one Engine.IO message packet whose data is the text payload (an encoded
// Socket.IO packet), as Send would frame it, without going through the engine socket. It
// reports false when the transport cannot take it that way (not attached yet, or closing):
// the caller then sends through the engine.
func (t *wsTransport) queueText(payload []byte) bool {
	if !t.attached.Load() || t.ReadyState() != "open" {
		return false
	}
	t.q.Push(ws.OpText, '4', payload)
	return true
}

// queuePacket queues a Socket.IO packet straight into the connection: text, when it has no
// binary attachments, else encoded (queueText, queueEncoded).
func (t *wsTransport) queuePacket(text []byte, encoded []types.BufferInterface) bool {
	if text != nil {
		return t.queueText(text)
	}
	return t.queueEncoded(encoded)
}

// queueEncoded queues an encoded Socket.IO packet (its text, then its binary attachments, as
// Engine.IO 4 frames them) without going through the engine socket, so that it keeps its
// place among the packets queueText sends; false as for queueText, and for an Engine.IO 3
// client, whose binary frames the engine's parser frames.
func (t *wsTransport) queueEncoded(encoded []types.BufferInterface) bool {
	if !t.attached.Load() || t.ReadyState() != "open" || t.Protocol() != 4 {
		return false
	}
	frames := make([]ws.Frame, len(encoded))
	for i, b := range encoded {
		if sb, ok := b.(*types.StringBuffer); ok {
			frames[i] = ws.Frame{Op: ws.OpText, Prefix: '4', Payload: sb.Bytes()}
		} else {
			frames[i] = ws.Frame{Op: ws.OpBinary, Payload: b.Bytes()}
		}
	}
	t.q.PushAll(frames)
	return true
}

// DoClose closes the connection once the queued frames are written (or closeFlushTimeout
// passed), so what was sent before a disconnect still reaches the client; then the
// transport reports itself closed.
func (t *wsTransport) DoClose(fn types.Callable) {
	t.q.CloseAfterFlush(closeFlushTimeout, func() {
		_ = t.conn.Close()
		if fn != nil {
			fn()
		}
		t.OnClose()
	})
}

// OnClose ends the transport, once, however it ends: queued frames are dropped, the poller
// forgets the connection, the connection closes and the engine hears "close".
func (t *wsTransport) OnClose() {
	t.closed.Do(func() {
		t.ended.Store(true)
		if b := t.heartbeat.Swap(nil); b != nil {
			beats.Remove(b.entry)
		}
		if t.upgrading.CompareAndSwap(true, false) {
			t.upgrades.end(t.sid)
		}
		t.stopPongAgain()
		t.q.Drop()
		t.r.Stop()
		_ = t.conn.Close()
		t.Transport.OnClose()
	})
}

// setBeat gives the transport the heartbeat ioroute runs for its session; a transport that
// closed meanwhile drops it.
func (t *wsTransport) setBeat(b *beat) {
	t.heartbeat.Store(b)
	if t.ended.Load() && t.heartbeat.CompareAndSwap(b, nil) {
		beats.Remove(b.entry)
	}
}

// pingPacket is the Engine.IO ping packet, as a websocket message.
var pingPacket = []byte{'2'}

// ping sends the Engine.IO ping packet; false when the transport no longer sends anything.
func (t *wsTransport) ping() bool { return t.q.Push(ws.OpText, 0, pingPacket) }

// writeFailed ends the transport whose connection broke while it was written to: the
// connection is closed, so no read will ever report it.
func (t *wsTransport) writeFailed(error) { t.OnClose() }

// overflowed disconnects a client that lets too much wait. The engine hears it as a
// transport error, so the socket's disconnect reason is "transport error" with errQueueFull
// in its description, not the "transport close" of a client that went.
func (t *wsTransport) overflowed(queued int) {
	t.log.Warn("disconnecting a client that does not read what it is sent: its queue is full",
		"sid", t.Sid(), "queued_bytes", queued, "limit_bytes", maxQueuedBytes)
	t.OnError("queue full", fmt.Errorf("%w: %d bytes waiting, more than the %d one connection may hold", errQueueFull, queued, maxQueuedBytes))
	t.Close() // when the engine listens for no error (an upgrade not done yet)
}
