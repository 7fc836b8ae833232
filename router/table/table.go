// Package table compiles a config into the immutable table of handlers a router serves, and
// compares two tables for a reload. It knows the config language and its actions, not the
// engine, the transport or the cluster: validate runs it alone.
package table

import (
	"sort"

	"github.com/ioroute/ioroute/actions"
	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// Table is an immutable compiled config: what each event of each namespace runs.
// The router swaps whole tables, so an event is handled by one table from start to end.
type Table struct {
	File       *config.File
	Namespaces map[string]*Namespace
}

// Namespace is the compiled handlers of one namespace.
type Namespace struct {
	Name   string
	Events map[string]*Handler
	// CatchAll is the "*" handler, run for every event that has no handler in Events (never
	// for connect and disconnect), or nil.
	CatchAll   *Handler
	Connect    *Handler
	Disconnect *Handler
}

// Handler is one event's compiled handler: a guard, steps and error steps. Run runs it.
type Handler struct {
	Event string
	// Guard is the handler's when, evaluated once per event before any step, or nil.
	Guard *tmpl.Program
	Steps actions.Steps
	// OnError runs when a step fails: the handler's own on_error, else its namespace's; nil
	// for none.
	OnError actions.Steps
	// UsesSocket is set when an expression reads socket or auth, so the socket's rooms must be
	// looked up and its handshake given.
	UsesSocket bool
	// KeepsContext is set when a step may use the run's context after the run (an on_ack), so
	// the context cannot be reused for another run.
	KeepsContext bool
	// Waits is set when a step or an error step may wait for something outside the server
	// (actions.Steps.Waits), itself or through the disconnect handlers its disconnect steps
	// run.
	Waits bool
	Pos   config.Pos
	Path  string
	// disconnects is set when a step or an error step disconnects sockets.
	disconnects bool
	// guard stands for the guard in errors and in on_error's error.step.
	guard *actions.Step
	// source is the handler as written, without positions, and the namespace's on_error when
	// it applies, to compare tables on reload.
	source any
}

// Compile builds a Table from a parsed config, reporting every problem at once.
func Compile(f *config.File) (*Table, error) {
	var errs config.Errors
	t := &Table{File: f, Namespaces: map[string]*Namespace{}}
	for _, n := range f.Namespaces {
		ns := &Namespace{Name: n.Name, Events: map[string]*Handler{}}
		t.Namespaces[n.Name] = ns
		defaults := newNamespaceOnError(n, &errs)
		for _, h := range n.Handlers {
			switch {
			case h.Event == "connect" || h.Event == "disconnect" || h.Event == actions.CatchAll:
			case actions.IsReserved(h.Event):
				errs.Add(h.Pos, h.Path, "%q is reserved by Socket.IO and cannot be handled", h.Event)
				continue
			case h.Event == "":
				errs.Add(h.Pos, h.Path, "event names must not be empty")
				continue
			}
			c := compileHandler(h, defaults, &errs)
			switch h.Event {
			case "connect":
				ns.Connect = c
			case "disconnect":
				ns.Disconnect = c
			case actions.CatchAll:
				ns.CatchAll = c
			default:
				ns.Events[h.Event] = c
			}
		}
	}
	checkEventLimits(t, &errs)
	t.waitForDisconnects()
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return t, nil
}

// waitForDisconnects marks the handlers that disconnect sockets as waiting when a disconnect
// handler of any namespace waits: the sockets they disconnect (of any namespace, with
// close: true) run those handlers within the step.
func (t *Table) waitForDisconnects() {
	waits := false
	for _, ns := range t.Namespaces {
		waits = waits || (ns.Disconnect != nil && ns.Disconnect.Waits)
	}
	if !waits {
		return
	}
	for _, ns := range t.Namespaces {
		for _, h := range ns.handlers() {
			if h.disconnects {
				h.Waits = true
			}
		}
	}
}

// handlers lists the namespace's handlers.
func (ns *Namespace) handlers() []*Handler {
	hs := make([]*Handler, 0, len(ns.Events)+3)
	for _, h := range ns.Events {
		hs = append(hs, h)
	}
	for _, h := range []*Handler{ns.Connect, ns.Disconnect, ns.CatchAll} {
		if h != nil {
			hs = append(hs, h)
		}
	}
	return hs
}

// Names returns the namespace names, sorted.
func (t *Table) Names() []string {
	names := make([]string, 0, len(t.Namespaces))
	for n := range t.Namespaces {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// EventNames returns the namespace's handled event names, sorted, lifecycle events and the
// catch-all ("*") included.
func (ns *Namespace) EventNames() []string {
	var names []string
	for e := range ns.Events {
		names = append(names, e)
	}
	if ns.CatchAll != nil {
		names = append(names, actions.CatchAll)
	}
	if ns.Connect != nil {
		names = append(names, "connect")
	}
	if ns.Disconnect != nil {
		names = append(names, "disconnect")
	}
	sort.Strings(names)
	return names
}
