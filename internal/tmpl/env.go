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
	// Item is the item of a for_each list that the step runs for (for_each only).
	Item any `expr:"item"`
	// Index is Item's position in the list, from 0 (for_each only).
	Index int `expr:"index"`
	// Error is the failure on_error handles (on_error only).
	Error Failure `expr:"error"`
	// Response is the reply to the run's latest call step (after a call only).
	Response Response `expr:"response"`
	// budget bounds the work of the run's expressions; nil bounds nothing. Unexported, it is
	// no name of expressions or of the docs; patched code reaches it through $env.
	budget *Budget
	// sockets lists sockets for sockets(); nil where none can be listed (validate).
	sockets SocketLister
}

// Failure is what on_error reads of the failure it handles.
type Failure struct {
	// Message says what went wrong, without the position: Step says where.
	Message string `expr:"message" json:"message"`
	// Step is the config path of the failing step, such as namespaces./chat.on.message[1].
	Step string `expr:"step" json:"step"`
}

// SetSockets makes l answer sockets() in the expressions evaluated against e; nil leaves
// sockets() failing with "not available here".
func (e *Env) SetSockets(l SocketLister) { e.sockets = l }

// Socket describes a socket to expressions. The json names are the expression names, so a
// socket sent to a client (`ack: ${{ socket }}`) reads as it does in the config.
type Socket struct {
	ID        string    `expr:"id" json:"id"`
	Rooms     []string  `expr:"rooms" json:"rooms"`
	Handshake Handshake `expr:"handshake" json:"handshake"`
	// Data is the socket's data, set by `set` steps (Node's socket.data); {} until set.
	Data map[string]any `expr:"data" json:"data"`
	// Recovered is true when the socket came back within server.recovery's window, with its
	// id, rooms and data (Node's socket.recovered).
	Recovered bool `expr:"recovered" json:"recovered"`
}

// SocketLister lists the sockets of the namespace an expression runs in, for sockets(): each
// as {id, rooms, data}, cluster-wide when the server is in a cluster. rooms, when not empty,
// keeps the sockets in any of them. It may wait for other nodes (bounded by a timeout), which
// spends no expression budget.
type SocketLister interface {
	ListSockets(rooms []string) ([]map[string]any, error)
}

// Handshake is the socket's handshake with the names and shape of Node's socket.handshake, so
// configs read it as JavaScript code would. Query and header values are single strings (the
// first, where a name was sent more than once); a name that was not sent reads as nil, as in
// JavaScript and Python, which is why the maps hold any.
type Handshake struct {
	// Headers are the HTTP headers of the first request, names lower-cased.
	Headers map[string]any `expr:"headers" json:"headers"`
	// Time is when the connection was made, as JavaScript's Date.toString writes it.
	Time string `expr:"time" json:"time"`
	// Address is the client's IP address, without the port.
	Address string `expr:"address" json:"address"`
	// Xdomain tells whether the request came from another origin.
	Xdomain bool `expr:"xdomain" json:"xdomain"`
	// Secure tells whether the connection is over TLS.
	Secure bool `expr:"secure" json:"secure"`
	// Issued is when the connection was made, in milliseconds since the Unix epoch.
	Issued int64 `expr:"issued" json:"issued"`
	// URL is the path and query of the first request.
	URL string `expr:"url" json:"url"`
	// Query is the query string of the first request, names as sent.
	Query map[string]any `expr:"query" json:"query"`
	// Auth is the client's auth payload, {} when it sent none.
	Auth map[string]any `expr:"auth" json:"auth"`
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
	// ItemScope adds item and index: a step with for_each, and what it nests (on_ack).
	ItemScope
	// ErrorScope adds error: on_error steps, and what they nest.
	ErrorScope
	// ResponseScope adds response: the steps after a call step, and what they nest.
	ResponseScope
)

// scoped names and the scope that provides each.
var scopedNames = map[string]struct {
	scope Scope
	where string
}{
	"reason":  {DisconnectScope, "only in disconnect handlers"},
	"reply":   {AckScope, "only inside on_ack"},
	"replies": {AckScope, "only inside on_ack"},
	"item":    {ItemScope, "only in a step with for_each"},
	"index":   {ItemScope, "only in a step with for_each"},
	"error":   {ErrorScope, "only inside on_error"},
	"response": {ResponseScope, "only after a call step, in a later step of the same list of steps " +
		"(a call that runs only in on_error, on_ack or another branch is not there yet)"},
}

// Scopes is the set of scopes an expression is compiled in (on_ack inside disconnect has both).
type Scopes map[Scope]bool
