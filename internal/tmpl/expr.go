package tmpl

import (
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"

	"github.com/ioroute/ioroute/config"
)

// Program is one compiled expression with the position of its source.
type Program struct {
	Source string
	Pos    config.Pos
	prog   *vm.Program
	// UsesSocket reports whether the expression reads what the socket holds rather than the
	// event: socket (whose rooms cost a lookup and whose handshake a copy), auth (the
	// handshake's), or everything through $env.
	UsesSocket bool
	// field reads the value directly when the expression is one of Env's names and nothing else.
	field func(*Env) any
	// whole is set when the expression reads $env, the environment itself, which it could hand
	// on as a value: it gets a copy, so nothing it yields points into an Env the caller reuses.
	whole bool
	// cond is set for a condition, whose value must be a boolean.
	cond bool
	// weighs is set when the expression can build a value much larger than the payload (it
	// calls a builtin or a predicate): what it yields is paid for from the budget before the
	// router copies or encodes it.
	weighs bool
	// parse and tree hold the expression as written, parsed when a message needs it.
	parse sync.Once
	tree  ast.Node
}

// fields read Env's names as the virtual machine does: an expression that is only a name, such
// as `${{ data }}` (the usual way to hand an event on), needs no machine to run.
var fields = map[string]func(*Env) any{
	"data":      func(e *Env) any { return e.Data },
	"args":      func(e *Env) any { return e.Args },
	"event":     func(e *Env) any { return e.Event },
	"namespace": func(e *Env) any { return e.Namespace },
	"socket":    func(e *Env) any { return e.Socket },
	"auth":      func(e *Env) any { return e.Auth },
	"reason":    func(e *Env) any { return e.Reason },
	"env":       func(e *Env) any { return e.Env },
	"reply":     func(e *Env) any { return e.Reply },
	"replies":   func(e *Env) any { return e.Replies },
	"item":      func(e *Env) any { return e.Item },
	"index":     func(e *Env) any { return e.Index },
	"error":     func(e *Env) any { return e.Error },
	"response":  func(e *Env) any { return e.Response },
}

var vms = sync.Pool{New: func() any { return new(vm.VM) }}

// Run evaluates the program against env, spending from the budget env holds, if any.
func (p *Program) Run(env *Env) (any, error) {
	if p.field != nil && env != nil {
		return p.field(env), nil
	}
	if p.whole && env != nil {
		e := *env
		env = &e
	}
	m := vms.Get().(*vm.VM)
	out, err := m.Run(p.prog, env)
	vms.Put(m)
	if err != nil {
		return nil, p.fail(env, err)
	}
	if _, isBool := out.(bool); p.cond && !isBool {
		return nil, &EvalError{Pos: p.Pos, Source: p.Source, Msg: "a when must be true or false, got " + describe(out)}
	}
	if p.weighs && env != nil && env.budget != nil {
		if err := env.budget.spend(weigh(out, env.budget.left)); err != nil {
			return nil, &EvalError{Pos: p.Pos, Source: p.Source, Msg: err.Error(), Err: err}
		}
	}
	return out, nil
}

// fail turns an error of the virtual machine into an EvalError in the config's terms.
func (p *Program) fail(env *Env, err error) *EvalError {
	e := &EvalError{Pos: p.Pos, Source: p.Source, Msg: err.Error()}
	var be *BudgetError
	var fe *file.Error
	switch {
	case errors.As(err, &be):
		e.Msg, e.Err = be.Error(), be
	case errors.As(err, &fe):
		e.Msg = p.explain(env, fe)
	}
	return e
}

// EvalError is an expression that failed on a real event, located in the config.
type EvalError struct {
	Pos    config.Pos
	Source string
	Msg    string
	// Err is the cause when a caller may want to tell it apart: a *BudgetError.
	Err error
}

// Error names the expression and what went wrong.
func (e *EvalError) Error() string { return fmt.Sprintf("%s: %s", e.Source, e.Msg) }

// Unwrap returns the cause, if any.
func (e *EvalError) Unwrap() error { return e.Err }

// compile compiles src, located at pos (the position of src's first character), in scopes;
// asBool makes it a condition, whose value must be a boolean.
func compile(src string, pos config.Pos, path string, scopes Scopes, asBool bool, errs *config.Errors) *Program {
	keys := &keyFiles{pos: pos, path: path, errs: errs}
	meter := newMetering()
	sockets := &socketsCalls{pos: pos, path: path, errs: errs, env: meter.env}
	opts := []expr.Option{expr.Env(Env{}), expr.MaxNodes(10000),
		// jwt(token, key[, audience]) returns the claims of a valid token, or nil
		expr.Function("jwt", jwtFunction, new(func(any, string) map[string]any), new(func(any, string, string) map[string]any)),
		// jwt(token, file("key.pem")) reads the key file now, once
		expr.Patch(keys), expr.Patch(strayFiles{keys}),
		socketsOption, expr.Patch(sockets),
	}
	opts = append(opts, bytesOptions...)
	// last, so that it meters what the patches before it leave
	opts = append(append(opts, meterOptions...), expr.Patch(meter))
	prog, err := expr.Compile(src, opts...)
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) {
			at := pos
			if fe.Line <= 1 {
				at = pos.Shift(fe.Column)
			}
			errs.Add(at, path, "%s", explainCompile(src, fe, scopes))
		} else {
			errs.Add(pos, path, "%s", plainTypes(err.Error()))
		}
		return nil
	}
	if keys.failed || sockets.failed {
		return nil
	}
	p := &Program{Source: src, Pos: pos, prog: prog, cond: asBool, weighs: meter.builds}
	ok := true
	node := prog.Node()
	ast.Walk(&node, visitor(func(n ast.Node) {
		id, isID := n.(*ast.IdentifierNode)
		if !isID || meter.env[n] {
			return
		}
		switch id.Value {
		case "socket", "auth":
			p.UsesSocket = true
		case "$env":
			p.UsesSocket, p.whole = true, true
		}
		if s, scoped := scopedNames[id.Value]; scoped && !scopes[s.scope] {
			errs.Add(pos.Shift(id.Location().From), path, "%q is available %s", id.Value, s.where)
			ok = false
		}
	}))
	if !ok {
		return nil
	}
	if t := node.Type(); asBool && t.Kind() != reflect.Bool && t.Kind() != reflect.Interface {
		errs.Add(pos, path, "a when must be true or false, but this yields %s", withArticle(kindOfType(t)))
		return nil
	}
	if id, isID := node.(*ast.IdentifierNode); isID && !asBool {
		p.field = fields[id.Value] // a condition is left to Run, which checks it is a bool
	}
	return p
}

type visitor func(ast.Node)

func (v visitor) Visit(n *ast.Node) { v(*n) }
