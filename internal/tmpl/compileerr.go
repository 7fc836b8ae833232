package tmpl

import (
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"

	"github.com/ioroute/ioroute/config"
)

// Compile errors of the expression engine name Go types and offer no way out; these
// rewrite them in the config's terms, with a suggestion where a name was probably misspelt.

var (
	unknownName = regexp.MustCompile(`^unknown name (\S+)$`)
	noField     = regexp.MustCompile(`^type (\S+) has no (field|method) (\S+)$`)
	mismatched  = regexp.MustCompile(`^invalid operation: (\S+) \(mismatched types? (.+?)(?: and (.+))?\)$`)
	condition   = regexp.MustCompile(`^non-bool expression \(type (.+)\) used as condition$`)
	predicate   = regexp.MustCompile(`^predicate should return boolean \(got (.+)\)$`)
	onlyArray   = regexp.MustCompile(`^builtin (\S+) takes only array \(got (.+)\)$`)
	arrayIndex  = regexp.MustCompile(`^array elements can only be selected using an integer \(got (.+)\)$`)
)

// explainCompile rewrites the message of fe, a compile error of src, which was compiled in
// scopes.
func explainCompile(src string, fe *file.Error, scopes Scopes) string {
	msg := fe.Message
	if m := unknownName.FindStringSubmatch(msg); m != nil {
		return "unknown name " + strconv.Quote(m[1]) + suggestName(m[1], scopes)
	}
	if m := noField.FindStringSubmatch(msg); m != nil {
		return explainNoField(src, fe.From, m[1], m[2], m[3])
	}
	if m := mismatched.FindStringSubmatch(msg); m != nil {
		got := withArticle(goTypeKind(m[2]))
		if m[1] == "in" {
			return "in needs " + needs("in") + ", got " + withArticle(goTypeKind(m[3]))
		}
		if m[3] != "" {
			got += " and " + withArticle(goTypeKind(m[3]))
			return m[1] + " needs " + needs(m[1]) + ", got " + got
		}
		return m[1] + " needs " + needsOne(m[1]) + ", got " + got
	}
	if m := condition.FindStringSubmatch(msg); m != nil {
		return "a condition must be true or false, got " + withArticle(goTypeKind(m[1]))
	}
	if m := predicate.FindStringSubmatch(msg); m != nil {
		return "this predicate must yield true or false, got " + withArticle(goTypeKind(m[1]))
	}
	if m := onlyArray.FindStringSubmatch(msg); m != nil {
		return m[1] + "() takes an array, got " + withArticle(goTypeKind(m[2]))
	}
	if m := arrayIndex.FindStringSubmatch(msg); m != nil {
		return "array items are read by whole numbers, such as [0], not by " + withArticle(goTypeKind(m[1]))
	}
	return plainTypes(msg)
}

// suggestName names the env names close to name, or lists those usable in scopes; a builtin
// is suggested only when close, as listing them all would say little.
func suggestName(name string, scopes Scopes) string {
	names := envNames(scopes)
	hint := config.Suggest(name, names)
	if strings.HasPrefix(hint, "; did you mean") {
		return hint
	}
	if b := config.Suggest(name, builtinNames()); strings.HasPrefix(b, "; did you mean") {
		return b
	}
	return hint
}

// envNames are the names of Env usable in scopes.
func envNames(scopes Scopes) []string {
	var names []string
	for _, name := range exprNames(reflect.TypeFor[Env]()) {
		if s, scoped := scopedNames[name]; scoped && !scopes[s.scope] {
			continue
		}
		names = append(names, name)
	}
	return names
}

// builtinNames are the functions expressions can call.
func builtinNames() []string {
	names := append([]string{"jwt", "sockets"}, bytesFunctions...)
	for _, b := range builtin.Builtins {
		names = append(names, b.Name)
	}
	return names
}

// exprNames are the expression names of the fields of struct t.
func exprNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		if name := t.Field(i).Tag.Get("expr"); name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}

// structs are the types expressions read fields of, by the name the engine gives them.
var structs = map[string]reflect.Type{
	"tmpl.Env":       reflect.TypeFor[Env](),
	"tmpl.Socket":    reflect.TypeFor[Socket](),
	"tmpl.Handshake": reflect.TypeFor[Handshake](),
	"tmpl.Failure":   reflect.TypeFor[Failure](),
}

// explainNoField explains `obj.name` where obj, of Go type typ, has no field (or method) name.
func explainNoField(src string, from int, typ, what, name string) string {
	obj := objectAt(src, from, name)
	if t, ok := structs[strings.TrimPrefix(typ, "*")]; ok {
		if obj == "" {
			obj = "the object"
		}
		return obj + " has no " + what + " " + strconv.Quote(name) + config.Suggest(name, exprNames(t))
	}
	if obj == "" {
		return withArticle(goTypeKind(typ)) + " has no " + what + " " + strconv.Quote(name)
	}
	return obj + " is " + withArticle(goTypeKind(typ)) + ", which has no " + what + " " + strconv.Quote(name)
}

// objectAt returns the text of the object of the member access at offset from in src whose
// property is name, or "".
func objectAt(src string, from int, name string) string {
	tree, err := parser.Parse(src)
	if err != nil {
		return ""
	}
	for _, n := range nodesAt(tree.Node, from) {
		if m, ok := n.(*ast.MemberNode); ok {
			if s, ok := m.Property.(*ast.StringNode); ok && s.Value == name {
				return m.Node.String()
			}
		}
	}
	return ""
}

// needsOne says what a unary operator takes.
func needsOne(op string) string {
	if slices.Contains([]string{"not", "!"}, op) {
		return "true or false"
	}
	return "a number"
}
