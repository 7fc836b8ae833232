package router

import (
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/zishang520/socket.io/parsers/engine/v3/packet"
	"github.com/zishang520/socket.io/servers/engine/v3/transports"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// wsTransport is the engine's websocket transport with ioroute's write path. The engine's own
// transport writes every packet as a separate frame with its own write(2) and, when the
// client reads slowly, lets packets pile up in the engine's socket without bound. Here reading,
// timeouts and closing stay the engine's; writing goes through a frameQueue: packets are
// framed as they are sent, every frame queued while a write is in flight goes out in the next
// single write, and a client that lets more than maxQueuedBytes wait is disconnected (and
// logged) instead of holding memory without bound.
//
// Only the transport writes data frames. The websocket library still writes its own control
// frames (a pong to a client's ping, the reply to a close), each in one write(2) of the same
// TCP connection, which the kernel keeps whole next to ours.
type wsTransport struct {
	transports.Websocket
	q   *frameQueue
	log *slog.Logger
	// attached: the engine socket sends through this transport (it sent something else than
	// the probe pong of an upgrade), so frames may be queued directly (queueText) without
	// overtaking packets the engine socket still holds from before the upgrade.
	attached atomic.Bool
	// binary: the client has sent a binary packet (an attachment), so its events may carry
	// buffers to convert (conn.mayHoldBuffers).
	binary atomic.Bool
}

// maxQueuedBytes bounds what one websocket connection may have waiting to be written. A
// client that stops reading fills its TCP buffers, then this; then it is disconnected.
const maxQueuedBytes = 8 << 20

// closeFlushTimeout bounds how long a closing transport waits for its queued frames to go out.
const closeFlushTimeout = 5 * time.Second

// wsTransportCtor makes wsTransports for the engine, in place of its websocket transport.
type wsTransportCtor struct {
	log *slog.Logger
}

// Name is the transport's name in the Engine.IO protocol.
func (*wsTransportCtor) Name() string { return transports.WEBSOCKET }

// HandlesUpgrades is true: a polling session may upgrade to websocket.
func (*wsTransportCtor) HandlesUpgrades() bool { return true }

// UpgradesTo is empty: websocket is final.
func (*wsTransportCtor) UpgradesTo() []string { return nil }

// New makes the transport of one websocket connection. When the connection is not a TCP
// connection, whose writes the kernel keeps whole, it is the engine's transport unchanged.
func (c *wsTransportCtor) New(ctx *types.HttpContext) transports.Transport {
	inner := transports.MakeWebSocket()
	if ctx.Websocket == nil || ctx.Websocket.Conn == nil {
		inner.Construct(ctx)
		return inner
	}
	tcp, ok := ctx.Websocket.UnderlyingConn().(*net.TCPConn)
	if !ok {
		inner.Construct(ctx)
		return inner
	}
	t := &wsTransport{Websocket: inner, log: c.log}
	t.q = newFrameQueue(tcp, maxQueuedBytes, t.overflowed)
	// the engine's Close calls DoClose through the prototype: let it reach ours
	inner.Prototype(t)
	// registered before reading starts, and before the engine socket's own listener
	_ = inner.On("packet", func(a ...any) {
		if p, ok := a[0].(*packet.Packet); ok && p != nil && p.Type == packet.MESSAGE && !isText(p.Data) {
			t.binary.Store(true)
		}
	})
	inner.Construct(ctx)
	_ = inner.Once("close", func(...any) { t.q.drop() })
	return t
}

// Send frames the engine socket's packets into the queue, as the engine's transport would
// write them, and reports them sent ("drain"): the transport never makes the engine socket
// hold packets back, so the queue is the only place they wait.
func (t *wsTransport) Send(packets []*packet.Packet) {
	for _, p := range packets {
		var data types.BufferInterface
		if p.Options != nil && p.Options.WsPreEncodedFrame != nil && t.PerMessageDeflate() == nil {
			data = p.Options.WsPreEncodedFrame
		} else {
			var err error
			if data, err = t.Parser().EncodePacket(p, t.SupportsBinary()); err != nil {
				t.OnError("write error", err)
				break
			}
		}
		op := byte(opBinary)
		if _, ok := data.(*types.StringBuffer); ok {
			op = opText
		}
		t.q.push(op, 0, data.Bytes())
	}
	if len(packets) != 1 || packets[0].Type != packet.PONG {
		t.attached.Store(true)
	}
	t.Emit("drain")
}

// queueText queues one Engine.IO message packet whose data is the text payload (an encoded
// Socket.IO packet), as Send would frame it, without going through the engine socket. It
// reports false when the transport cannot take it that way (not attached yet, or closing):
// the caller then sends through the engine.
func (t *wsTransport) queueText(payload []byte) bool {
	if !t.attached.Load() || t.ReadyState() != "open" {
		return false
	}
	t.q.push(opText, '4', payload)
	return true
}

// DoClose closes the connection once the queued frames are written (or closeFlushTimeout
// passed), so what was sent before a disconnect still reaches the client.
func (t *wsTransport) DoClose(fn types.Callable) {
	t.q.closeAfterFlush(closeFlushTimeout, func() { t.Websocket.DoClose(fn) })
}

// overflowed disconnects a client that lets too much wait.
func (t *wsTransport) overflowed(queued int) {
	t.log.Warn("disconnecting a client that does not read what it is sent: its queue is full",
		"sid", t.Sid(), "queued_bytes", queued, "limit_bytes", maxQueuedBytes)
	t.Close()
}
