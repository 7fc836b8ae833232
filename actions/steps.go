package actions

import (
	"errors"
	"fmt"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// Step is one compiled action with its condition and its place in the config.
type Step struct {
	Name   string
	Action Action
	When   *tmpl.Program
	Pos    config.Pos
	Path   string
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

// Run runs the steps in order. The first failure stops the handler and is returned.
func (s Steps) Run(ctx *Context) error {
	for _, st := range s {
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
	compiled = compileSteps(steps, tmpl.Scopes{scope: true}, errs)
	return compiled, compiled.usesSocket()
}

func (s Steps) usesSocket() bool {
	for _, st := range s {
		if st.When != nil && st.When.UsesSocket {
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
		c := &Step{Name: spec.Name, Pos: st.ActionPos, Path: st.Path}
		if st.When != nil {
			c.When = tmpl.CompileCondition(st.When, scopes, errs)
		}
		b := newBuilder(spec, st.Body, scopes, errs)
		if b == nil {
			continue
		}
		c.Action = spec.New(b)
		if c.Action == nil {
			continue
		}
		if b.usesSocket {
			c.Action = socketUser{c.Action}
		}
		out = append(out, c)
	}
	return out
}

// socketUser marks an action whose expressions read socket.
type socketUser struct{ Action }

// UsesSocket reports true.
func (socketUser) UsesSocket() bool { return true }

// KeepsContext reports whether the wrapped action keeps its Context.
func (u socketUser) KeepsContext() bool { return keepsContext(u.Action) }
