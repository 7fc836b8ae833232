package tmpl

import (
	"reflect"
	"strconv"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
)

// metering is the compile-time patch that makes an expression pay for its work from its run's
// Budget. The virtual machine has no hook per instruction, so the expression calls a meter
// (meters.go, priced by cost.go) before each operation whose work depends on the data:
//
//   - a predicate (the body of map, filter, reduce…) spends a step per call;
//   - a builtin whose work grows with its input spends before it runs, priced from the values
//     it is about to get; builtins that take constant time are free;
//   - a range a..b spends its length before it is made, a pattern not written in the config
//     spends a few steps per byte before it is compiled, and jwt() a signature check;
//   - inside a predicate only, +, comparisons, contains, startsWith, endsWith, matches and in
//     spend the size of their operands. Outside one they run once per evaluation, so the
//     payload and the config bound their work; inside one they run once per element.
//
// The operands are bound with let, so each is evaluated once and in its order, the meter sees
// their values, and the operation keeps its type for the checks that follow:
//
//	repeat(s, n)  becomes  let b1 = s; let b2 = n; (meter($env, b1, b2); repeat(b1, b2))
//
// Literal operands stay in place and the meter gets a copy.
type metering struct {
	// seq numbers the let-bound operands; their names hold a space, which no expression can.
	seq int
	// done holds the operations already metered, which an enclosing predicate must skip.
	done map[ast.Node]bool
	// env holds the $env identifiers the patch added, which are no read of $env by the config.
	env map[ast.Node]bool
	// builds tells that the expression calls a builtin or a predicate, which can build a
	// value much larger than the payload.
	builds bool
}

func newMetering() *metering {
	return &metering{done: map[ast.Node]bool{}, env: map[ast.Node]bool{}}
}

// freeBuiltins take constant time whatever their arguments.
var freeBuiltins = map[string]bool{
	"len": true, "type": true, "abs": true, "ceil": true, "floor": true, "round": true,
	"first": true, "last": true, "get": true, "now": true,
	"bitand": true, "bitor": true, "bitxor": true, "bitnand": true, "bitnot": true,
	"bitshl": true, "bitshr": true, "bitushr": true,
}

// builtinMeters price the builtins whose work is not one pass over their arguments (sizeMeter
// prices the others).
var builtinMeters = map[string]meter{
	"repeat": repeatMeter, "replace": replaceMeter, "join": joinMeter,
	"split": splitMeter, "splitAfter": splitMeter, "take": takeMeter, "uniq": uniqMeter,
	"toJSON": encodeMeter, "string": encodeMeter, "fromJSON": parseMeter, "flatten": deepMeter,
	"timezone": zoneMeter,
}

// Visit meters what runs everywhere; a predicate meters the operators inside it.
func (m *metering) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.PredicateNode:
		m.builds = true
		ast.Walk(&n.Node, loopOperators{m})
		step := m.typedCall(stepFunc, n.Location())
		n.Node = located(&ast.SequenceNode{Nodes: []ast.Node{step, n.Node}}, n.Location())
	case *ast.BuiltinNode:
		m.builds = true
		m.builtin(node, n)
	case *ast.CallNode:
		switch name := callee(n); {
		case name == "jwt" && len(n.Arguments) > 0:
			m.charge(node, jwtMeter, &n.Arguments[0]) // the token; the key is the config's
		case (name == "bytes" || name == "base64_bytes") && len(n.Arguments) == 1:
			m.charge(node, sizeMeter, &n.Arguments[0]) // a copy of the text
		}
	case *ast.BinaryNode:
		switch {
		case n.Operator == ".." && !(isLiteral(n.Left) && isLiteral(n.Right)):
			m.charge(node, rangeMeter, &n.Left, &n.Right)
		case n.Operator == "matches" && !isLiteral(n.Right):
			m.charge(node, matchMeter, &n.Left, &n.Right)
		}
	}
}

// builtin meters a builtin call, unless it takes constant time or is a predicate builtin
// with its predicate, whose steps are metered.
func (m *metering) builtin(node *ast.Node, n *ast.BuiltinNode) {
	if freeBuiltins[n.Name] {
		return
	}
	for _, a := range n.Arguments {
		if _, ok := a.(*ast.PredicateNode); ok {
			return
		}
	}
	mt, ok := builtinMeters[n.Name]
	if !ok {
		mt = sizeMeter
	}
	if n.Name == "date" && len(n.Arguments) > 2 {
		mt = zoneMeter // date(s, layout, zone) loads the zone
	}
	m.charge(node, mt, operands(n.Arguments)...)
}

// loopOperators meters the operators of a predicate's body, which run once per element.
type loopOperators struct{ m *metering }

func (v loopOperators) Visit(node *ast.Node) {
	n, ok := (*node).(*ast.BinaryNode)
	if !ok || v.m.done[n] {
		return
	}
	l, r := n.Left, n.Right
	switch n.Operator {
	case "+":
		if !(isLiteral(l) && isLiteral(r)) && !numeric(n.Type()) {
			v.m.chargeEach(node, sizeFunc, sizeFunc)
		}
	case "<", ">", "<=", ">=", "startsWith", "endsWith":
		// a literal operand bounds the comparison by its own length
		if !isLiteral(l) && !isLiteral(r) && !numeric(l.Type()) && !numeric(r.Type()) {
			v.m.chargeEach(node, sizeFunc, sizeFunc)
		}
	case "==", "!=":
		if !isLiteral(l) && !isLiteral(r) && !numeric(l.Type()) && !numeric(r.Type()) {
			v.m.chargeEach(node, deepFunc, deepFunc)
		}
	case "contains", "matches":
		if !isLiteral(l) {
			v.m.chargeEach(node, sizeFunc, sizeFunc)
		}
	case "in":
		switch r.(type) {
		case *ast.ArrayNode, *ast.MapNode, *ast.ConstantNode:
			return // written in the config: its size is the config's
		}
		v.m.chargeEach(node, deepFunc, lookupFunc)
	}
}

// chargeEach replaces the binary operation at node with calls of left and right on its
// operands that are not literals, followed by the operation, the operands bound with let.
func (m *metering) chargeEach(node *ast.Node, left, right func(env, v any) any) {
	n := (*node).(*ast.BinaryNode)
	loc := n.Location()
	var calls []ast.Node
	var lets []*ast.VariableDeclaratorNode
	for i, o := range []*ast.Node{&n.Left, &n.Right} {
		if isLiteral(*o) {
			continue
		}
		name := m.bind(o, &lets, loc)
		call := m.typedCall([]func(env, v any) any{left, right}[i], loc)
		call.Arguments = append(call.Arguments, located(&ast.IdentifierNode{Value: name}, loc))
		calls = append(calls, call)
	}
	m.done[n] = true
	*node = wrap(lets, append(calls, n), loc)
}

// charge replaces the operation at node with a call of mt on its operands followed by the
// operation, the operands bound with let (see metering).
func (m *metering) charge(node *ast.Node, mt meter, operands ...*ast.Node) {
	op := *node
	loc := op.Location()
	call := m.call(mt, loc)
	var lets []*ast.VariableDeclaratorNode
	for _, o := range operands {
		if isLiteral(*o) {
			call.Arguments = append(call.Arguments, copyLiteral(*o))
			continue
		}
		name := m.bind(o, &lets, loc)
		call.Arguments = append(call.Arguments, located(&ast.IdentifierNode{Value: name}, loc))
	}
	m.done[op] = true
	*node = wrap(lets, []ast.Node{call, op}, loc)
}

// bind moves the operand at o into a new let of lets, leaves a reference to it in its place,
// and returns its name.
func (m *metering) bind(o *ast.Node, lets *[]*ast.VariableDeclaratorNode, loc file.Location) string {
	m.seq++
	name := "budget " + strconv.Itoa(m.seq)
	*lets = append(*lets, located(&ast.VariableDeclaratorNode{Name: name, Value: *o}, loc))
	*o = located(&ast.IdentifierNode{Value: name}, (*o).Location())
	return name
}

// wrap makes `let a = …; let b = …; (nodes…)`, whose value is that of the last node.
func wrap(lets []*ast.VariableDeclaratorNode, nodes []ast.Node, loc file.Location) ast.Node {
	var out ast.Node = located(&ast.SequenceNode{Nodes: nodes}, loc)
	for i := len(lets) - 1; i >= 0; i-- {
		lets[i].Expr = out
		out = lets[i]
	}
	return out
}

// call makes a call of mt with $env as its first argument.
func (m *metering) call(mt meter, loc file.Location) *ast.CallNode {
	return located(&ast.CallNode{Callee: located(&ast.IdentifierNode{Value: mt.name}, loc), Arguments: []ast.Node{m.envNode(loc)}}, loc)
}

// typedCall makes a call of fn, a function value, with $env as its first argument.
func (m *metering) typedCall(fn any, loc file.Location) *ast.CallNode {
	return located(&ast.CallNode{Callee: located(&ast.ConstantNode{Value: fn}, loc), Arguments: []ast.Node{m.envNode(loc)}}, loc)
}

func (m *metering) envNode(loc file.Location) ast.Node {
	env := located(&ast.IdentifierNode{Value: "$env"}, loc)
	m.env[env] = true
	return env
}

func operands(args []ast.Node) []*ast.Node {
	out := make([]*ast.Node, len(args))
	for i := range args {
		out[i] = &args[i]
	}
	return out
}

func isLiteral(n ast.Node) bool {
	switch n.(type) {
	case *ast.StringNode, *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.NilNode:
		return true
	}
	return false
}

// copyLiteral copies a literal for the meter's call, so no node has two parents.
func copyLiteral(n ast.Node) ast.Node {
	var c ast.Node
	switch n := n.(type) {
	case *ast.StringNode:
		c = &ast.StringNode{Value: n.Value}
	case *ast.IntegerNode:
		c = &ast.IntegerNode{Value: n.Value}
	case *ast.FloatNode:
		c = &ast.FloatNode{Value: n.Value}
	case *ast.BoolNode:
		c = &ast.BoolNode{Value: n.Value}
	default:
		c = &ast.NilNode{}
	}
	return located(c, n.Location())
}

// numeric tells whether the checker knows a value of type t to be a number or a boolean,
// which every operation handles in constant time.
func numeric(t reflect.Type) bool {
	if t == nil {
		return false
	}
	k := t.Kind()
	return k >= reflect.Bool && k <= reflect.Float64
}

func located[N ast.Node](n N, loc file.Location) N {
	n.SetLocation(loc)
	return n
}
