package table

import (
	"errors"
	"fmt"

	"github.com/ioroute/ioroute/actions"
	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// Run runs the handler for one event: its guard, once, then its steps, and, when the guard or
// a step fails, its on_error steps with error.message and error.step set. It returns:
//
//   - nil when the handler ran to its end, its guard was false, or on_error handled a failure;
//   - the failure (a *actions.StepError) when there is no on_error;
//   - a failure of on_error itself, wrapping the on_error step's *actions.StepError, with the
//     failure it was handling in its message: an error inside on_error ends the run there;
//   - an error for which actions.Halted is true when the run ended on purpose, from the steps
//     or from on_error: a *actions.Rejection (a connect handler refused its socket) or
//     actions.ErrStopped (a step disconnected the sender). It is no failure, and on_error
//     does not run for it.
func (h *Handler) Run(ctx *actions.Context) error {
	err := h.run(ctx)
	if err == nil || actions.Halted(err) || len(h.OnError) == 0 {
		return err
	}
	ctx.Env.Error = failureOf(err)
	if oerr := h.OnError.Run(ctx); oerr != nil {
		if actions.Halted(oerr) {
			return oerr
		}
		return fmt.Errorf("%w; on_error was handling: %v", oerr, err)
	}
	return nil
}

// run evaluates the guard, then runs the steps when it is true.
func (h *Handler) run(ctx *actions.Context) error {
	if h.Guard != nil {
		ok, err := h.Guard.Run(ctx.Env)
		if err != nil {
			return &actions.StepError{Step: h.guard, Err: err}
		}
		if ok != true {
			return nil
		}
	}
	return h.Steps.Run(ctx)
}

// failureOf is what on_error reads of err: the cause, and the path of the step that failed
// (the position is left out of the message, as the path says where).
func failureOf(err error) tmpl.Failure {
	var se *actions.StepError
	if errors.As(err, &se) {
		return tmpl.Failure{Message: se.Err.Error(), Step: se.Step.Path}
	}
	return tmpl.Failure{Message: err.Error()}
}

// compileHandler compiles one handler of a namespace whose on_error is defaults.
func compileHandler(h *config.Handler, defaults *namespaceOnError, errs *config.Errors) *Handler {
	scope := actions.ScopeFor(h.Event)
	steps, usesSocket := actions.Compile(h.Steps, scope, errs)
	c := &Handler{Event: h.Event, Steps: steps, Pos: h.Pos, Path: h.Path}
	if h.When != nil {
		c.Guard = tmpl.CompileCondition(h.When, tmpl.Scopes{scope: true}, errs)
		if c.Guard != nil {
			usesSocket = usesSocket || c.Guard.UsesSocket
			c.guard = &actions.Step{Name: "when", Pos: h.When.Pos, Path: h.When.Path}
		}
	}
	var fallback any // the namespace's on_error as written, when it applies
	var onErrorUses bool
	switch {
	case h.OnErrorNode != nil:
		c.OnError, onErrorUses = actions.CompileIn(h.OnError, tmpl.Scopes{scope: true, tmpl.ErrorScope: true}, errs)
	case scope == tmpl.EventScope:
		// the namespace's on_error is the default of event handlers only: a failing connect
		// handler refuses its socket (fails closed) and a disconnect handler's client is gone,
		// so neither answers as an event handler would
		c.OnError, onErrorUses = defaults.steps, defaults.usesSocket
		fallback = defaults.source
	}
	c.UsesSocket = usesSocket || onErrorUses
	c.KeepsContext = steps.KeepsContext() || c.OnError.KeepsContext()
	c.Waits = steps.Waits() || c.OnError.Waits()
	c.disconnects = steps.Disconnects() || c.OnError.Disconnects()
	c.source = [2]any{h.Body.Plain(), fallback}
	return c
}

// namespaceOnError is a namespace's on_error, the default of its event handlers, compiled
// once.
type namespaceOnError struct {
	steps      actions.Steps
	usesSocket bool
	// source is the on_error as written, without positions, or nil.
	source any
}

// newNamespaceOnError compiles ns's on_error for its event handlers, reporting its problems
// even when no handler uses it.
func newNamespaceOnError(ns *config.Namespace, errs *config.Errors) *namespaceOnError {
	d := &namespaceOnError{}
	if ns.OnErrorNode != nil {
		d.source = ns.OnErrorNode.Plain()
		d.steps, d.usesSocket = actions.CompileIn(ns.OnError, tmpl.Scopes{tmpl.EventScope: true, tmpl.ErrorScope: true}, errs)
	}
	return d
}
