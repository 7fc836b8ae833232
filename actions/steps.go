package actions

import (
	"errors"
	"fmt"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// Step is one compiled action with its condition, its loop and its place in the config.
type Step struct {
	Name   string
	Action Action
	When   *tmpl.Program
	// ForEach yields the list the step runs once per item of, or is nil (see loop.go).
	ForEach tmpl.Template
	Pos     config.Pos
	Path    string
}

// Steps is a compiled handler: actions run in order.
type Steps []*Step

// StepError is a run-time failure of one step, located in the config.
type StepError struct {
	Step *Step
	Err  error
}

// Error reads like a path into the config; it points at the failing expression when there is one.
func (e *StepError) Error() string {
	pos := e.Step.Pos
	var ee *tmpl.EvalError
	if errors.As(e.Err, &ee) {
		pos = ee.Pos
	}
	return fmt.Sprintf("%s: %s (%s): %v", pos, e.Step.Path, e.Step.Name, e.Err)
}

// Unwrap returns the cause.
func (e *StepError) Unwrap() error { return e.Err }

// Run runs the steps in order. The first failure stops the handler and is returned, as a
// *StepError; so is a step that ends the run on purpose (see Halted).
func (s Steps) Run(ctx *Context) error {
	for _, st := range s {
		if st.ForEach != nil {
			if err := st.runEach(ctx); err != nil {
				return &StepError{Step: st, Err: err}
			}
			continue
		}
		if st.When != nil {
			ok, err := st.When.Run(ctx.Env)
			if err != nil {
				return &StepError{Step: st, Err: fmt.Errorf("when: %w", err)}
			}
			if ok != true {
				continue
			}
		}
		if err := st.Action.Run(ctx); err != nil {
			return &StepError{Step: st, Err: err}
		}
	}
	return nil
}

// Compile compiles a handler's steps in scope, reporting every problem into errs.
// usesSocket reports whether any expression reads socket.
func Compile(steps []*config.Step, scope tmpl.Scope, errs *config.Errors) (compiled Steps, usesSocket bool) {
	return CompileIn(steps, tmpl.Scopes{scope: true}, errs)
}

// CompileIn is Compile in several scopes at once, such as a handler's scope with
// tmpl.ErrorScope for its on_error.
func CompileIn(steps []*config.Step, scopes tmpl.Scopes, errs *config.Errors) (compiled Steps, usesSocket bool) {
	compiled = compileSteps(steps, scopes, errs)
	return compiled, compiled.usesSocket()
}

func (s Steps) usesSocket() bool {
	for _, st := range s {
		if st.When != nil && st.When.UsesSocket {
			return true
		}
		if st.ForEach != nil && st.ForEach.UsesSocket() {
			return true
		}
		if u, ok := st.Action.(interface{ UsesSocket() bool }); ok && u.UsesSocket() {
			return true
		}
	}
	return false
}

// KeepsContext reports whether a step may use the Context of a run after the run has
// returned, as an on_ack does when the acknowledgement comes: such a Context must not be
// reused for another run.
func (s Steps) KeepsContext() bool {
	for _, st := range s {
		if keepsContext(st.Action) {
			return true
		}
	}
	return false
}

// Waits reports whether a step may wait for something outside the server, as a call to a
// backend does: the router does not run such a handler on the goroutine that reads its
// client's connection, whose pongs would wait with it.
func (s Steps) Waits() bool {
	for _, st := range s {
		if w, ok := st.Action.(interface{ Waits() bool }); ok && w.Waits() {
			return true
		}
	}
	return false
}

// Disconnects reports whether a step disconnects sockets, which runs their disconnect
// handlers in the step: a handler that does so waits whenever one of those does.
func (s Steps) Disconnects() bool {
	for _, st := range s {
		if _, ok := st.Action.(*Disconnect); ok {
			return true
		}
	}
	return false
}

// keepsContext reports whether a declares that it keeps its Context.
func keepsContext(a Action) bool {
	k, ok := a.(interface{ KeepsContext() bool })
	return ok && k.KeepsContext()
}

func compileSteps(steps []*config.Step, scopes tmpl.Scopes, errs *config.Errors) Steps {
	var out Steps
	for _, st := range steps {
		spec, ok := registry[st.Action]
		if !ok {
			errs.Add(st.ActionPos, config.ChildPath(st.Path, st.Action), "unknown action%s", config.Suggest(st.Action, Names()))
			continue
		}
		if c := compileStep(st, spec, scopes, errs); c != nil {
			out = append(out, c)
		}
		// the steps after a call read its response, even when the call itself had errors
		if spec.Provides != tmpl.EventScope && !scopes[spec.Provides] {
			scopes = withScope(scopes, spec.Provides)
		}
	}
	return out
}

// compileStep compiles one step of action spec, or returns nil when it has errors.
func compileStep(st *config.Step, spec *Spec, scopes tmpl.Scopes, errs *config.Errors) *Step {
	c := &Step{Name: spec.Name, Pos: st.ActionPos, Path: st.Path}
	stepScopes := scopes
	if st.ForEach != nil {
		c.ForEach = compileForEach(st.ForEach, scopes, errs)
		stepScopes = withScope(scopes, tmpl.ItemScope)
	}
	if st.When != nil {
		c.When = tmpl.CompileCondition(st.When, stepScopes, errs)
	}
	b := newBuilder(spec, st.Body, stepScopes, errs)
	if b == nil {
		return nil
	}
	c.Action = spec.New(b)
	if c.Action == nil {
		return nil
	}
	if b.usesSocket {
		c.Action = socketUser{c.Action}
	}
	return c
}

// withScope returns scopes with s added, leaving scopes as they are.
func withScope(scopes tmpl.Scopes, s tmpl.Scope) tmpl.Scopes {
	out := tmpl.Scopes{s: true}
	for sc := range scopes {
		out[sc] = true
	}
	return out
}

// socketUser marks an action whose expressions read socket.
type socketUser struct{ Action }

// UsesSocket reports true.
func (socketUser) UsesSocket() bool { return true }

// KeepsContext reports whether the wrapped action keeps its Context.
func (u socketUser) KeepsContext() bool { return keepsContext(u.Action) }
