package actions

import (
	"log/slog"
	"time"

	"github.com/ioroute/ioroute/internal/backend"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// Message is an emission as the actions describe it; the router decides how to deliver it.
type Message struct {
	// Namespace is the target namespace; "" means the sender's.
	Namespace string
	// To lists rooms or socket ids; empty means the sender, unless Broadcast.
	To []string
	// Broadcast sends to every socket of the namespace (or of the rooms in To).
	Broadcast bool
	// IncludeSelf keeps the sender among the recipients of a room or broadcast emission.
	IncludeSelf bool
	Event       string
	// Args are ready to send as they are: JSON values (see sendable), which the engine and the
	// cluster encode without converting.
	Args []any
}

// Conn is the socket an event came from, as actions see it. The router implements it.
type Conn interface {
	// ID is the socket's id in its namespace.
	ID() string
	// Join adds the socket to rooms; it fails when that would pass the rooms-per-socket limit.
	Join(rooms ...string) error
	// Leave removes the socket from rooms.
	Leave(rooms ...string)
	// Emit delivers m to its recipients.
	Emit(m Message) error
	// EmitWithAck delivers m to one socket (the sender, or the socket id m.To[0]) and calls
	// cb later with the client's acknowledgement, or with an error after timeout (0: wait forever).
	// It never blocks waiting for the acknowledgement.
	EmitWithAck(m Message, timeout time.Duration, cb func(replies []any, err error)) error
	// Data is the socket's data (socket.data): an empty map until something is set. The map
	// is never changed in place, so it may be read while another run sets new data.
	Data() map[string]any
	// SetData makes data the socket's data. data is a new map (the caller copied and merged);
	// it fails, leaving the data as it was, when data's JSON size passes
	// server.limits.socket_data_bytes.
	SetData(data map[string]any) error
	// Disconnect disconnects sockets of the sender's namespace: the sender itself when ids is
	// empty, else the sockets with those ids, on any node of a cluster. close ends their whole
	// connection (every namespace), as Node's disconnect(true). Disconnecting the sender from
	// its connect handler refuses it.
	Disconnect(ids []string, close bool) error
	// CloseRoom makes every socket of the sender's namespace that is in rooms leave them, on
	// every node (Node's socketsLeave, Flask-SocketIO's close_room).
	CloseRoom(rooms []string) error
}

// Context is everything an action may use while handling one event. It and its Env belong to
// that one run of the handler: an action that uses them once its Run has returned must say so
// with a KeepsContext method returning true (see Steps.KeepsContext), or the router may reuse
// them for another event.
type Context struct {
	// Env is what expressions read.
	Env *tmpl.Env
	// Conn is the sending socket.
	Conn Conn
	// Ack answers the client's acknowledgement callback with args ready to send (as
	// Message.Args); nil when the client asked for none.
	Ack func(args []any)
	// Acked is set once Ack was called; a second answer is not sent.
	Acked bool
	// Print writes one line to the router's output.
	Print func(line string)
	// Log receives diagnostics.
	Log *slog.Logger
	// LoopItems bounds the items of one for_each (server.limits.loop_items); 0 means the
	// setting's default.
	LoopItems int
	// Calls makes the requests of call steps; nil means a client of its own with the
	// settings' defaults. Tests stub backends here, or through the router's CallTransport.
	Calls *backend.Client
	// SkipRejects makes reject steps do nothing: a recovered socket's connect handler with
	// server.recovery.skip_connect.
	SkipRejects bool
}
