package actions

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// ReservedEvents are names Socket.IO keeps for itself: they cannot be emitted, and only
// connect and disconnect may be handled (as lifecycle events).
var ReservedEvents = []string{"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}

// IsReserved reports whether name is reserved by Socket.IO.
func IsReserved(name string) bool {
	for _, r := range ReservedEvents {
		if r == name {
			return true
		}
	}
	return false
}

// CatchAll is the name of the handler that runs for every event of its namespace that has no
// handler of its own (Flask-SocketIO's "*"). It names no event, so it is never emitted.
const CatchAll = "*"

// catchAllEmitted says why "*" cannot be an emitted event's name.
const catchAllEmitted = `"*" names the catch-all handler, not an event, and cannot be emitted; name the event to send`

// ScopeFor is the scope a handler of event compiles in: connect and disconnect are lifecycle
// handlers with names and actions of their own.
func ScopeFor(event string) tmpl.Scope {
	switch event {
	case "connect":
		return tmpl.ConnectScope
	case "disconnect":
		return tmpl.DisconnectScope
	}
	return tmpl.EventScope
}

// targetFields declares where an emission goes; shared by emit, send and broadcast.
var targetFields = []config.Field{
	{Name: "to", Type: config.TextList, Doc: "Room(s) or socket id(s) to send to; without it, the sender (or everyone, with broadcast).", Example: "to: ${{ data.room }}"},
	{Name: "include_self", Type: config.Bool, Default: true, Doc: "Whether the sender receives a room or broadcast emission it caused."},
	{Name: "namespace", Type: config.String, Doc: "Target namespace, default the sender's. Needs `to` or `broadcast`.", Example: "namespace: /admin"},
}

// broadcastField sends to every socket of the namespace.
var broadcastField = config.Field{Name: "broadcast", Type: config.Bool, Default: false, Doc: "Send to every socket of the namespace (with `to`, of those rooms)."}

// ackFields declare acknowledgement handling for an emission to one socket.
var ackFields = []config.Field{
	{Name: "on_ack", Type: config.Steps, Doc: "Steps run when the client acknowledges; `reply` is its first argument, `replies` all. Only for one target socket.", Example: "on_ack:\n  - print: ${{ reply }}"},
	{Name: "timeout", Type: config.Duration, Doc: "How long to wait for the acknowledgement; required when the target is another socket."},
}

// fieldsOf concatenates field lists.
func fieldsOf(lists ...[]config.Field) []config.Field {
	var out []config.Field
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// emitter is the shared implementation of emit, send and broadcast.
type emitter struct {
	event tmpl.Template
	// name is the event's name when it is the same for every event, checked once at compile time.
	name        string
	payload     payload
	to          []tmpl.Template
	broadcast   bool
	includeSelf bool
	namespace   string
	onAck       Steps
	timeout     time.Duration
	socket      bool
}

// newEmitter compiles the target, payload and ack fields present in b.
func newEmitter(b *Builder, event tmpl.Template, broadcast bool) *emitter {
	e := &emitter{
		event:       event,
		payload:     newPayload(b),
		broadcast:   broadcast || b.Bool("broadcast"),
		includeSelf: b.Bool("include_self"),
		timeout:     b.Duration("timeout"),
	}
	without := "the sender"
	if e.broadcast {
		without = "the whole namespace"
	}
	e.to = roomList(b, "to", "room or socket id", "name rooms or socket ids, such as to: ${{ data.room }}, or leave out `to` to send to "+without)
	if n := b.Node("namespace"); n != nil {
		e.namespace = n.Text
		if !strings.HasPrefix(e.namespace, "/") {
			b.Errorf("namespace", "namespace names start with \"/\"")
		}
	}
	if event != nil && event.Const() {
		name, _ := event.Eval(nil)
		if s, _ := name.(string); s == "" {
			b.Errorf("event", "the event name must not be empty")
		} else if IsReserved(s) {
			b.Errorf("event", "%q is reserved by Socket.IO and cannot be emitted", s)
		} else if s == CatchAll {
			b.Errorf("event", "%s", catchAllEmitted)
		} else {
			e.name = s
		}
	}
	toSender := !e.broadcast && !b.Has("to")
	if toSender && e.namespace != "" {
		b.Errorf("namespace", "emitting to another namespace needs `to` (rooms or socket ids) or `broadcast: true`")
	}
	if toSender && b.Has("include_self") && !e.includeSelf {
		b.Errorf("include_self", "the sender is the only target here; include_self: false applies with `to` or `broadcast`")
	}
	if b.Has("on_ack") {
		switch {
		case e.broadcast:
			b.Errorf("on_ack", "on_ack needs one target socket; a broadcast has many (emit to the sender or to one socket id)")
		case len(e.to) > 1 || (b.Node("to") != nil && b.Node("to").Kind == config.ListNode):
			b.Errorf("on_ack", "on_ack needs one target socket; `to` must be one socket id")
		case b.Has("to") && !b.Has("timeout"):
			b.Errorf("on_ack", "an acknowledgement from another socket needs `timeout`, such as `timeout: 5s`")
		}
		e.onAck = b.Steps("on_ack", tmpl.AckScope)
	} else if b.Has("timeout") {
		b.Errorf("timeout", "timeout applies to on_ack; add on_ack or remove timeout")
	}
	if b.Has("timeout") && e.timeout == 0 {
		b.Errorf("timeout", "must be more than 0")
	}
	e.socket = b.usesSocket
	return e
}

// UsesSocket reports whether the emission's expressions read socket.
func (e *emitter) UsesSocket() bool { return e.socket }

// KeepsContext reports whether the emission has an on_ack, which runs in the event's context
// once the acknowledgement comes.
func (e *emitter) KeepsContext() bool { return e.onAck != nil }

// Run evaluates the emission and hands it to the connection.
func (e *emitter) Run(ctx *Context) error {
	m := Message{Namespace: e.namespace, Broadcast: e.broadcast, IncludeSelf: e.includeSelf, Event: "message"}
	if e.name != "" {
		m.Event = e.name
	} else if e.event != nil {
		v, err := e.event.Eval(ctx.Env)
		if err != nil {
			return fmt.Errorf("event: %w", err)
		}
		name, ok := v.(string)
		if !ok || name == "" {
			return fmt.Errorf("event: expected a non-empty event name, got %s", tmpl.Stringify(v))
		}
		if IsReserved(name) {
			return fmt.Errorf("event: %q is reserved by Socket.IO and cannot be emitted", name)
		}
		if name == CatchAll {
			return fmt.Errorf("event: %s", catchAllEmitted)
		}
		m.Event = name
	}
	args, err := e.payload.eval(ctx.Env)
	if err != nil {
		return err
	}
	m.Args = args
	for _, t := range e.to {
		v, err := t.Eval(ctx.Env)
		if err != nil {
			return fmt.Errorf("to: %w", err)
		}
		rooms, err := roomNames(v)
		if err != nil {
			return fmt.Errorf("to: %w", err)
		}
		m.To = append(m.To, rooms...)
	}
	if e.to != nil && len(m.To) == 0 {
		return errors.New("to: evaluated to no room or socket id")
	}
	if e.onAck == nil {
		return ctx.Conn.Emit(m)
	}
	if len(m.To) > 1 {
		return fmt.Errorf("to: on_ack needs one socket id, got %d", len(m.To))
	}
	return ctx.Conn.EmitWithAck(m, e.timeout, e.ackCallback(ctx, m))
}

// ackCallback runs on_ack with the client's replies, in a context derived from the event's.
func (e *emitter) ackCallback(ctx *Context, m Message) func([]any, error) {
	return func(replies []any, err error) {
		if err != nil {
			ctx.Log.Warn("no acknowledgement", "event", m.Event, "to", m.To, "error", err)
			return
		}
		env := *ctx.Env
		env.RenewBudget()
		env.Replies = replies
		env.Reply = nil
		if len(replies) > 0 {
			env.Reply = replies[0]
		}
		ackCtx := *ctx
		ackCtx.Env = &env
		if err := e.onAck.Run(&ackCtx); err != nil && !Halted(err) {
			ctx.Log.Error("on_ack failed", "event", env.Event, "socket", env.Socket.ID, "error", err)
		}
	}
}

// roomNames flattens a `to` value into room names.
func roomNames(v any) ([]string, error) {
	switch r := v.(type) {
	case string:
		if r == "" {
			return nil, errors.New("empty room name")
		}
		return []string{r}, nil
	case nil:
		return nil, errors.New("room name is null")
	case []byte, map[string]any:
		return nil, fmt.Errorf("expected a room name or a list of them, got %s", tmpl.Stringify(r))
	}
	list, err := toList(v)
	if err != nil {
		return []string{tmpl.Stringify(v)}, nil
	}
	var out []string
	for _, it := range list {
		names, err := roomNames(it)
		if err != nil {
			return nil, err
		}
		out = append(out, names...)
	}
	return out, nil
}
