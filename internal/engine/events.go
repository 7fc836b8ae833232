package engine

import (
	"sync"
	"sync/atomic"

	"github.com/zishang520/socket.io/parsers/socket/v3/parser"
	engineio "github.com/zishang520/socket.io/servers/engine/v3"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
)

// EventReceiver takes a session's Socket.IO EVENT packets as text, straight from ioroute's
// websocket transport, before the engine sees them. The engine's way to an event handler
// copies the message into a buffer, decodes it as an Engine.IO packet, passes it through
// three event emitters, decodes it as a Socket.IO packet and queues two tasks on the socket's
// task queue (one for the listeners, one more for the named event); most of a busy chat
// server's time that is not writing goes there. A receiver decodes the arguments once and
// handles the event at once, or queues it on the same task queue (sio.Socket.Enqueue) when
// something of the socket may wait there: the events of a socket must keep their order
// whichever way each came.
type EventReceiver interface {
	// ReceiveEvent is offered one EVENT packet without binary attachments, as text
	// (`2/chat,12["message",…]`; the Engine.IO packet type is gone). It reports whether it
	// took the packet; one it did not take goes to the engine as any other packet (which also
	// refuses what is malformed). The packet's bytes are only valid during the call.
	ReceiveEvent(packet []byte) bool
}

// receivers holds, by engine session id, the EventReceiver of each session that is on
// polling: a websocket transport made for its upgrade finds it there. A session on one of
// ioroute's websocket transports keeps its receiver in the transport alone, so that an idle
// connection holds nothing more for it.
var receivers sync.Map

// ReceiveEvents offers rcv the EVENT packets of session es that arrive over ioroute's
// websocket transport (Engine.IO 4 only: an Engine.IO 3 client's packets keep the engine's
// way), from now until the session closes; packets over polling keep the engine's way.
func ReceiveEvents(es engineio.Socket, rcv EventReceiver) {
	if es.Protocol() != 4 {
		return
	}
	if t, ok := es.Transport().(*wsTransport); ok {
		t.receiver.Store(&receiverRef{rcv: rcv})
		return
	}
	id := es.Id()
	receivers.Store(id, rcv)
	_ = es.Once("close", func(...any) { receivers.Delete(id) })
	if es.ReadyState() == "closed" {
		receivers.Delete(id) // closed before the listener was there to hear it
	}
}

// receiverRef is a transport's EventReceiver.
type receiverRef struct{ rcv EventReceiver }

// eventReceiver returns the receiver of t's session, or nil. A transport made for an upgrade
// looks its session's up once the upgrade is complete (before that the engine refuses any
// packet but the upgrade's own) and the session has one, and keeps it.
func (t *wsTransport) eventReceiver() EventReceiver {
	if ref := t.receiver.Load(); ref != nil {
		return ref.rcv
	}
	if t.sid == "" || !t.upgraded.Load() {
		return nil
	}
	v, ok := receivers.Load(t.sid)
	if !ok {
		return nil
	}
	rcv := v.(EventReceiver)
	t.receiver.Store(&receiverRef{rcv: rcv})
	return rcv
}

// offerEvent offers a text message holding an Engine.IO MESSAGE whose Socket.IO packet is an
// EVENT to the session's receiver; true when it took it.
func (t *wsTransport) offerEvent(payload []byte) bool {
	if len(payload) < 3 || payload[0] != '4' || payload[1] != '2' || t.owed > 0 {
		return false // between a binary packet and its attachments the engine refuses text
	}
	rcv := t.eventReceiver()
	return rcv != nil && rcv.ReceiveEvent(payload[1:])
}

// Ack makes the acknowledgement callback of event id of socket s, as the engine makes it for
// the events it decodes: the first call sends the ACK packet with its arguments (binary ones
// make it a BINARY_ACK), later calls and calls after the socket left do nothing.
func Ack(s *sio.Socket, id uint64) sio.Ack {
	var sent atomic.Bool
	return func(args []any, _ error) {
		if !sent.CompareAndSwap(false, true) || !s.Connected() || s.Conn().ReadyState() != "open" {
			return
		}
		p := &parser.Packet{Type: parser.ACK, Nsp: s.Nsp().Name(), Id: &id, Data: args}
		s.Client().WriteToEngine(s.Nsp().Server().Encoder().Encode(p), &sio.WriteOptions{})
	}
}

// attachments is the count of binary attachments that follow a text message holding a
// BINARY_EVENT or BINARY_ACK packet (`451-…`, `462-…`); 0 for any other message.
func attachments(payload []byte) int {
	if len(payload) < 3 || payload[0] != '4' || (payload[1] != '5' && payload[1] != '6') {
		return 0
	}
	n := 0
	for _, c := range payload[2:] {
		if c < '0' || c > '9' {
			break
		}
		if n > 1<<20 {
			return n // the engine refuses far fewer; the count only has to stay positive
		}
		n = n*10 + int(c-'0')
	}
	return n
}
