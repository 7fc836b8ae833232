package router

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/actions"
	"github.com/ioroute/ioroute/internal/engine"
	"github.com/ioroute/ioroute/internal/tmpl"
	"github.com/ioroute/ioroute/router/table"
)

// onConnection sets up a socket that passed the guard: it runs the namespace's connect
// handler and routes every later event through the table current at that moment.
func (r *Router) onConnection(args ...any) {
	s, ok := args[0].(*sio.Socket)
	if !ok {
		return
	}
	engine.CatchUp(s) // a recovered socket's missed packets, before its connect handler's emits
	c := r.recorded(s)
	r.connected(c)
	if a := r.admin; a != nil {
		a.socketConnected(s)
		a.watchOutgoing(s)
	}
	s.OnAny(func(in ...any) { r.onEvent(c, in) })
	c.settled.Store(true)
}

// watchDisconnect runs the namespace's disconnect handler when c's socket goes. The guard
// calls it before admitting the socket: the engine sends CONNECT before it announces the
// connection, so a socket can be closed (by a shutdown, say) before onConnection runs.
//
// The engine can announce one disconnection twice at once: from the client's DISCONNECT
// packet (on the socket's task queue) and from the transport closing. Once runs the handler
// for the first and holds the second, which goes on to leave the rooms, until the handler
// has returned.
func (r *Router) watchDisconnect(c *conn) {
	var once sync.Once
	c.s.On("disconnecting", func(reason ...any) {
		once.Do(func() {
			why := ""
			if len(reason) > 0 {
				why = fmt.Sprint(reason[0])
			}
			var detail error
			if len(reason) > 1 {
				detail, _ = reason[1].(error)
			}
			r.disconnected(c, why, detail)
			if a := r.admin; a != nil {
				a.socketDisconnected(c.s, reason)
			}
			if c.arrivals != nil {
				c.arrivals.forget(c)
			}
			c.leaving.Store(true)
			if ns := r.current.Load().Namespaces[c.ns]; ns != nil && ns.Disconnect != nil {
				_ = r.run(c, ns.Disconnect, invocation{event: "disconnect", reason: why})
			}
		})
	})
}

// onEvent handles one incoming event: [name, args..., ack?], counted at its arrival or not.
func (r *Router) onEvent(c *conn, in []any) {
	e, counted := c.arrived()
	r.handleEvent(c, in, e, counted, r.current.Load())
}

// handleEvent handles one incoming event with table t, with its arrival when it was counted
// at arrival (its verdict applies then; otherwise its limits apply now).
func (r *Router) handleEvent(c *conn, in []any, e arrival, counted bool, t *table.Table) {
	if len(in) == 0 {
		return
	}
	event, ok := in[0].(string)
	if !ok {
		r.clientLog.Warn("event without a name", "namespace", c.ns, "socket", c.ID())
		return
	}
	r.countReceived(c.ns, event)
	if a := r.admin; a != nil {
		a.eventReceived(c.ns, c.ID(), in)
	}
	r.logEvent(c, event)
	args := in[1:]
	var ack func([]any, error)
	if n := len(args); n > 0 {
		if a, isAck := args[n-1].(sio.Ack); isAck {
			ack, args = a, args[:n-1]
		} else if a, isFn := args[n-1].(func([]any, error)); isFn {
			ack, args = a, args[:n-1]
		}
	}
	if !c.s.Connected() {
		return // queued before the socket left: as Node, events of a gone socket are not handled
	}
	if counted {
		if e.verdict != accept {
			return // dropped at arrival, and logged there
		}
	} else {
		l := t.File.Server.Limits
		v, limit := c.budget.admit(event, l, time.Now())
		switch r.rateVerdict(c, event, v, limit, l.FloodLimit) {
		case accept:
		case flood:
			c.s.Disconnect(true)
			return
		default:
			return
		}
	}
	if (!counted || e.placeholder) && engine.HasPlaceholder(args) {
		r.clientLog.Warn("event refused: it holds a binary placeholder object ({\"_placeholder\": true}) that names no attachment, "+
			"which would make the socket.io clients it reached drop their connection", "namespace", c.ns, "socket", c.ID(), "event", event)
		return
	}
	h := handlerFor(t, c.ns, event)
	if h == nil {
		r.log.Debug("no handler", "namespace", c.ns, "event", event, "socket", c.ID())
		return
	}
	args = engine.Incoming(args)
	_ = r.run(c, h, invocation{event: event, args: args, ack: ack})
}

// frame is what one run of a handler uses: the environment its expressions read, the context
// its actions get and the socket they act on, in one allocation. Unless the handler keeps its
// context beyond the run (Handler.KeepsContext), the frame is reused by later runs.
type frame struct {
	env    tmpl.Env
	budget tmpl.Budget
	ctx    actions.Context
	conn   eventConn
}

var frames = sync.Pool{New: func() any { return new(frame) }}

// invocation is what one run of a handler is for: the event and what came with it.
type invocation struct {
	event string
	args  []any
	// ack is the client's acknowledgement callback, or nil when it asked for none.
	ack func([]any, error)
	// reason is why the socket left, for a disconnect handler.
	reason string
	// deferred is the socket as a connect handler sees it (the actions act on it instead of
	// the socket itself); nil for other handlers.
	deferred *deferredConn
	// skipRejects skips the reject steps (a recovered socket, server.recovery.skip_connect).
	skipRejects bool
}

// run runs handler h of socket c once. A failing step is logged with its config position and
// ends that handler only; the socket and the server go on. The error (a Rejection included)
// is returned for the connect handler.
func (r *Router) run(c *conn, h *table.Handler, in invocation) (err error) {
	event, args := in.event, in.args
	defer r.ran(c, event, r.handlerStart(), &err) // after the recovery below has set err
	var f *frame
	if h.KeepsContext {
		f = new(frame)
	} else {
		f = frames.Get().(*frame)
	}
	f.env = tmpl.Env{
		Args:      args,
		Event:     event,
		Namespace: c.ns,
		Socket:    tmpl.Socket{ID: c.ID(), Recovered: c.s.Recovered()},
		Reason:    in.reason,
		Env:       r.environ,
	}
	if len(args) > 0 {
		f.env.Data = args[0]
	}
	f.budget.Reset(int64(r.live().Limits.ExpressionSteps))
	f.env.SetBudget(&f.budget)
	if h.UsesSocket {
		f.env.Socket.Rooms = c.rooms()
		f.env.Socket.Handshake = *c.handshake()
		f.env.Socket.Data = c.Data()
		f.env.Auth = f.env.Socket.Handshake.Auth
	}
	if in.deferred != nil {
		f.env.SetSockets(in.deferred)
	} else {
		f.env.SetSockets(c)
	}
	f.conn = eventConn{conn: c}
	if h.UsesSocket {
		f.conn.env = &f.env
	}
	f.ctx = actions.Context{Env: &f.env, Conn: &f.conn, Print: r.printLine, Log: r.clientLog,
		LoopItems: r.live().Limits.LoopItems, Calls: r.calls, SkipRejects: in.skipRejects}
	if d := in.deferred; d != nil {
		if h.UsesSocket {
			d.env = &f.env
		}
		f.ctx.Conn = d
	}
	if ack := in.ack; ack != nil {
		f.ctx.Ack = func(replies []any) { ack(replies, nil) }
	}
	defer func() {
		if p := recover(); p != nil {
			r.panicked(p, "handler panicked; the socket and the server go on", "namespace", c.ns, "event", event, "socket", c.ID(),
				"at", h.Pos.String()+": "+h.Path)
			err = fmt.Errorf("panic: %v", p)
			return // the frame is dropped: whatever panicked may still hold it
		}
		if !h.KeepsContext {
			*f = frame{} // hold on to nothing of this event
			frames.Put(f)
		}
	}()
	if err = h.Run(&f.ctx); err != nil {
		r.logFailure(c, event, err)
	}
	return err
}

// logFailure logs why a handler ended early: a refusal by a reject step, or an error. Errors
// are written once per failing step and window, then counted: clients choose how often they
// happen.
func (r *Router) logFailure(c *conn, event string, err error) {
	var rej *actions.Rejection
	if errors.As(err, &rej) {
		r.log.Info("connection refused", "namespace", c.ns, "socket", c.ID(), "message", rej.Message)
		return
	}
	if errors.Is(err, actions.ErrStopped) {
		return // a disconnect step ended the run on purpose
	}
	at := ""
	var se *actions.StepError
	if errors.As(err, &se) {
		at = se.Step.Path
	}
	r.clientLog.Error("event failed", "namespace", c.ns, "event", event, "at", at, "socket", c.ID(), "error", err.Error())
}

// panicked counts a recovered panic and logs it with its stack and the given attributes.
func (r *Router) panicked(p any, msg string, attrs ...any) {
	n := r.panics.Add(1)
	r.clientLog.Error(msg, append(attrs, "panic", fmt.Sprint(p), "panics", n, "stack", string(debug.Stack()))...)
}
