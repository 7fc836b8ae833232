package tmpl

import (
	"regexp"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
)

// explain turns a failure of the virtual machine into a message in the config's terms: what
// the expression expected, and what it got, as a JSON type with an excerpt of the value when
// the failing operand is one the message can read again (a name of the env, a path into it,
// a literal). It finds the failing operation in the expression as written, by the position
// the machine reports.
func (p *Program) explain(env *Env, fe *file.Error) string {
	msg := fe.Message
	at := nodesAt(p.written(), fe.From)
	switch {
	case msg == "memory budget exceeded":
		return "the expression built more than a million values, the most one evaluation may"
	case strings.Contains(msg, "divide by zero"):
		return "division by zero"
	}
	for _, n := range at {
		switch n := n.(type) {
		case *ast.MemberNode:
			if s, ok := explainMember(env, n, msg); ok {
				return s
			}
		case *ast.BinaryNode:
			if s, ok := explainBinary(env, n, msg); ok {
				return s
			}
		case *ast.UnaryNode:
			if strings.HasPrefix(msg, "invalid operation") || strings.HasPrefix(msg, "interface conversion") {
				return n.Operator + " needs " + needsOne(n.Operator) + ", got " + operand(env, n.Node, goTypeIn(msg, 0))
			}
		case *ast.ConditionalNode:
			if strings.HasSuffix(msg, "not bool") {
				return "a condition must be true or false, got " + operand(env, n.Cond, goTypeIn(msg, 0))
			}
		case *ast.BuiltinNode:
			return explainBuiltin(env, n, msg)
		}
	}
	return plainTypes(msg)
}

// written is the expression as written, before the patches and the optimizer changed it,
// parsed the first time a message needs it.
func (p *Program) written() ast.Node {
	p.parse.Do(func() {
		if tree, err := parser.Parse(p.Source); err == nil {
			p.tree = tree.Node
		}
	})
	return p.tree
}

// nodesAt lists the nodes of tree that start at offset from, innermost first.
func nodesAt(tree ast.Node, from int) []ast.Node {
	if tree == nil {
		return nil
	}
	var out []ast.Node
	ast.Walk(&tree, visitor(func(n ast.Node) {
		if n.Location().From == from {
			out = append(out, n)
		}
	}))
	return out
}

// fetchFailure tells the messages of a member access on a value without that member.
var fetchFailure = regexp.MustCompile(`^(cannot fetch .* from|cannot get .* from|invalid operation: int\(|reflect\.Value\.MapIndex|index out of range|interface conversion)`)

var outOfRange = regexp.MustCompile(`^index out of range: (-?\d+) \(array length is (\d+)\)`)

// explainMember explains `obj.key` or `obj[i]` on a value that has no such member.
func explainMember(env *Env, n *ast.MemberNode, msg string) (string, bool) {
	if !fetchFailure.MatchString(msg) {
		return "", false
	}
	obj := n.Node.String()
	if m := outOfRange.FindStringSubmatch(msg); m != nil {
		return "index " + m[1] + " is out of range: " + obj + " has " + m[2] + " items", true
	}
	key, keyKnown := lookup(env, n.Property)
	want := "an object"
	if _, isString := key.(string); keyKnown && !isString {
		want = "an array"
	}
	val, known := lookup(env, n.Node)
	got := withArticle(goTypeKind(goTypeIn(msg, -1)))
	if known {
		got = describe(val)
	}
	out := "expected " + obj + " to be " + want + ", got " + got
	if known && val == nil {
		out += "; write " + obj + "?." + strings.TrimPrefix(n.String()[len(obj):], ".") + " if it may be missing"
	}
	return out, true
}

// explainBinary explains an operator given operands it does not take.
func explainBinary(env *Env, n *ast.BinaryNode, msg string) (string, bool) {
	switch {
	case strings.HasPrefix(msg, "invalid operation: "+goTypeIn(msg, 0)+" "+n.Operator+" "):
		return n.Operator + " needs " + needs(n.Operator) + ", got " +
			operand(env, n.Left, goTypeIn(msg, 0)) + " and " + operand(env, n.Right, goTypeIn(msg, 1)), true
	case strings.HasSuffix(msg, "not bool") && (n.Operator == "and" || n.Operator == "&&" || n.Operator == "or" || n.Operator == "||"):
		return n.Operator + " needs " + needs(n.Operator) + ", got " + withArticle(goTypeKind(goTypeIn(msg, 0))), true
	case strings.HasPrefix(msg, "interface conversion") || strings.HasPrefix(msg, "invalid operation"):
		return n.Operator + " needs " + needs(n.Operator) + ", got " +
			operand(env, n.Left, "") + " and " + operand(env, n.Right, ""), true
	}
	return "", false
}

// explainBuiltin explains a builtin given arguments it does not take.
func explainBuiltin(env *Env, n *ast.BuiltinNode, msg string) string {
	name := n.Name + "()"
	switch {
	case n.Name == "int" || n.Name == "float":
		return name + " needs a number or a string that holds one, got " + argument(env, n, "")
	case strings.HasPrefix(msg, "invalid argument for len"):
		return "len() needs a string, an array or an object, got " + argument(env, n, goTypeIn(msg, 0))
	}
	if m := conversion.FindStringSubmatch(msg); m != nil {
		return name + " needs " + withArticle(goTypeKind(m[2])) + ", got " + argument(env, n, m[1])
	}
	if m := operation.FindStringSubmatch(msg); m != nil {
		return name + ": " + m[2] + " needs " + needs(m[2]) + ", got " +
			withArticle(goTypeKind(m[1])) + " and " + withArticle(goTypeKind(m[3]))
	}
	return name + ": " + plainTypes(msg)
}

var (
	conversion = regexp.MustCompile(`^interface conversion: interface \{\} is (.+), not (.+)$`)
	operation  = regexp.MustCompile(`^invalid operation: (.+) (\S+) (.+)$`)
)

// argument describes the argument of a builtin of one argument when it is of Go type goType
// (or goType is ""), else names goType: a builtin may fail on an element of its argument.
func argument(env *Env, n *ast.BuiltinNode, goType string) string {
	if len(n.Arguments) == 1 {
		if v, ok := lookup(env, n.Arguments[0]); ok && (goType == "" || kindOf(v) == goTypeKind(goType)) {
			return describe(v)
		}
	}
	if goType == "" {
		return "a value of another type"
	}
	return withArticle(goTypeKind(goType))
}

// operand describes an operand: its value when the message can read it again, else the JSON
// type of goType, the Go type the engine named.
func operand(env *Env, n ast.Node, goType string) string {
	if v, ok := lookup(env, n); ok {
		return describe(v)
	}
	if goType == "" {
		return "a value of another type"
	}
	return withArticle(goTypeKind(goType))
}

// goTypeIn returns the i-th Go type name in msg (from the end when i < 0), or "".
func goTypeIn(msg string, i int) string {
	all := goTypes.FindAllString(msg, -1)
	if i < 0 {
		i += len(all)
	}
	if i < 0 || i >= len(all) {
		return ""
	}
	return all[i]
}

// needs says what an operator takes.
func needs(op string) string {
	switch op {
	case "+", "<", ">", "<=", ">=":
		return "two numbers or two strings"
	case "-", "*", "/", "%", "**", "^":
		return "two numbers"
	case "and", "&&", "or", "||":
		return "true or false on both sides"
	case "not", "!":
		return "true or false"
	case "..":
		return "two whole numbers"
	case "contains", "startsWith", "endsWith", "matches":
		return "two strings"
	case "in":
		return "an array or an object on its right"
	case "==", "!=":
		return "two values of one type"
	}
	return "other operands"
}
