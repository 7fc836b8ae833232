// Package tmpl compiles config values holding ${{ expr }} into templates evaluated per event.
package tmpl

// Env is what expressions can read. Fields are named as config authors write them.
type Env struct {
	// Data is the event's first argument, nil if none.
	Data any `expr:"data"`
	// Args are all of the event's arguments.
	Args []any `expr:"args"`
	// Event is the event's name.
	Event string `expr:"event"`
	// Namespace is the namespace the socket is connected to.
	Namespace string `expr:"namespace"`
	// Socket describes the sending socket.
	Socket Socket `expr:"socket"`
	// Auth is the handshake's auth payload, {} when the client sent none.
	Auth map[string]any `expr:"auth"`
	// Reason is why the socket disconnected (disconnect only).
	Reason string `expr:"reason"`
	// Env is the process environment.
	Env map[string]string `expr:"env"`
	// Reply is the first argument of the client's acknowledgement (on_ack only).
	Reply any `expr:"reply"`
	// Replies are all arguments of the client's acknowledgement (on_ack only).
	Replies []any `expr:"replies"`
}

// Socket describes a socket to expressions.
type Socket struct {
	ID        string    `expr:"id"`
	Rooms     []string  `expr:"rooms"`
	Handshake Handshake `expr:"handshake"`
}

// Handshake is the normalised handshake: lower-case single-valued query and headers.
type Handshake struct {
	Auth    map[string]any    `expr:"auth"`
	Query   map[string]string `expr:"query"`
	Headers map[string]string `expr:"headers"`
	Address string            `expr:"address"`
}

// Scope says where an expression runs, which decides the names it may use.
type Scope int

// The scopes.
const (
	// EventScope is an ordinary event handler.
	EventScope Scope = iota
	// DisconnectScope adds reason.
	DisconnectScope
	// AckScope adds reply and replies; it is nested inside another scope.
	AckScope
	// ConnectScope is the connect handler, which runs before the socket is connected and may
	// refuse it.
	ConnectScope
)

// scoped names and the scope that provides each.
var scopedNames = map[string]struct {
	scope Scope
	where string
}{
	"reason":  {DisconnectScope, "only in disconnect handlers"},
	"reply":   {AckScope, "only inside on_ack"},
	"replies": {AckScope, "only inside on_ack"},
}

// Scopes is the set of scopes an expression is compiled in (on_ack inside disconnect has both).
type Scopes map[Scope]bool
