package tmpl

import (
	"errors"
	"fmt"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"

	"github.com/ioroute/ioroute/config"
)

// sockets() and sockets("room", …) list the sockets of the namespace, each as {id, rooms,
// data}, through the SocketLister of the Env the expression runs against. In a cluster that is
// a request to every node, answered within a timeout: the time it waits is no work of the
// expression, so it spends nothing of the budget. What the expression then does with the list
// (map, filter…) is metered as usual.

// socketsCallee is what a sockets() call becomes once the patch gives it $env; the space keeps
// config authors from calling it directly.
const socketsCallee = "sockets env"

// socketsOption declares the function the patched calls call.
var socketsOption = expr.Function(socketsCallee, socketsFunction, new(func(any, ...any) []any))

// socketsCalls is the compile-time patch that turns sockets(rooms…) into a call that gets
// $env, where the lister is. A call inside a predicate (the body of map, filter…) is an
// error: it would ask every node once per element, as often as the client's data says.
type socketsCalls struct {
	pos  config.Pos // of the expression's first character
	path string
	errs *config.Errors
	// env holds the $env identifiers added, which are no read of $env by the config.
	env    map[ast.Node]bool
	failed bool
}

// Visit patches a sockets() call, and reports the patched calls inside a predicate. The walk
// visits a node after its children, so the calls inside a predicate are patched by then.
func (s *socketsCalls) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.CallNode:
		if callee(n) != "sockets" {
			return
		}
		env := located(&ast.IdentifierNode{Value: "$env"}, n.Location())
		s.env[env] = true
		n.Callee = located(&ast.IdentifierNode{Value: socketsCallee}, n.Callee.Location())
		n.Arguments = append([]ast.Node{env}, n.Arguments...)
	case *ast.PredicateNode:
		ast.Walk(&n.Node, visitor(func(m ast.Node) {
			if c, ok := m.(*ast.CallNode); ok && callee(c) == socketsCallee {
				s.failed = true
				s.errs.Add(s.pos.Shift(c.Location().From), s.path, "sockets() asks every node for its sockets, so it may not run once per element "+
					"inside map, filter or another predicate; call it once, outside: let list = sockets(); filter(data, # in map(list, .id))")
			}
		}))
	}
}

// socketsFunction is sockets(rooms…) as patched: its first argument is $env.
func socketsFunction(params ...any) (any, error) {
	e, _ := params[0].(*Env)
	if e == nil || e.sockets == nil {
		return nil, errors.New("sockets() is not available here")
	}
	rooms, err := roomArgs(params[1:])
	if err != nil {
		return nil, err
	}
	list, err := e.sockets.ListSockets(rooms)
	if err != nil {
		return nil, fmt.Errorf("sockets(): %w", err)
	}
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out, nil
}

// roomArgs reads sockets()'s arguments as room names: strings, or lists of them.
func roomArgs(args []any) ([]string, error) {
	var rooms []string
	for _, a := range args {
		switch a := a.(type) {
		case string:
			if a == "" {
				return nil, errors.New("sockets(): a room name is empty")
			}
			rooms = append(rooms, a)
			continue
		case []any:
			more, err := roomArgs(a)
			if err != nil {
				return nil, err
			}
			rooms = append(rooms, more...)
			continue
		case []string:
			for _, r := range a {
				more, err := roomArgs([]any{r})
				if err != nil {
					return nil, err
				}
				rooms = append(rooms, more...)
			}
			continue
		}
		return nil, fmt.Errorf("sockets() takes room names, got %s", describe(a))
	}
	return rooms, nil
}
