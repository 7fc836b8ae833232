package tmpl

import (
	"reflect"

	"github.com/expr-lang/expr/ast"
)

// lookup reads again, without the virtual machine, the value of an operand that is a literal,
// a name of the env or a path into it with literal keys (`data.user.name`, `args[0]`), so that
// a message can show what a failing operation got. It reports false for anything else, such
// as an operand that reads a predicate's element or calls a builtin.
func lookup(env *Env, n ast.Node) (any, bool) {
	switch n := n.(type) {
	case *ast.StringNode:
		return n.Value, true
	case *ast.IntegerNode:
		return n.Value, true
	case *ast.FloatNode:
		return n.Value, true
	case *ast.BoolNode:
		return n.Value, true
	case *ast.NilNode:
		return nil, true
	case *ast.IdentifierNode:
		read, ok := fields[n.Value]
		if !ok || env == nil {
			return nil, false
		}
		return read(env), true
	case *ast.ChainNode:
		return lookup(env, n.Node)
	case *ast.MemberNode:
		obj, ok := lookup(env, n.Node)
		if !ok {
			return nil, false
		}
		if obj == nil && n.Optional {
			return nil, true
		}
		key, ok := lookup(env, n.Property)
		if !ok {
			return nil, false
		}
		return member(obj, key)
	}
	return nil, false
}

// member reads obj[key] as expressions do: a key missing from an object reads as nil, an
// index past a list's end as no value.
func member(obj, key any) (any, bool) {
	switch obj := obj.(type) {
	case map[string]any:
		k, ok := key.(string)
		return obj[k], ok
	case []any:
		i, ok := index(key, len(obj))
		if !ok {
			return nil, false
		}
		return obj[i], true
	}
	rv := reflect.ValueOf(obj)
	switch rv.Kind() {
	case reflect.Map:
		k, ok := key.(string)
		if !ok || rv.Type().Key().Kind() != reflect.String {
			return nil, false
		}
		v := rv.MapIndex(reflect.ValueOf(k).Convert(rv.Type().Key()))
		if !v.IsValid() {
			return nil, true
		}
		return v.Interface(), true
	case reflect.Slice, reflect.Array:
		i, ok := index(key, rv.Len())
		if !ok {
			return nil, false
		}
		return rv.Index(i).Interface(), true
	case reflect.Struct:
		k, ok := key.(string)
		if !ok {
			return nil, false
		}
		t := rv.Type()
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && f.Tag.Get("expr") == k {
				return rv.Field(i).Interface(), true
			}
		}
	}
	return nil, false
}

// index reads key as an index into a list of length n, counting from the end when negative.
func index(key any, n int) (int, bool) {
	var i int
	switch k := key.(type) {
	case int:
		i = k
	case float64:
		if k != float64(int(k)) {
			return 0, false
		}
		i = int(k)
	default:
		return 0, false
	}
	if i < 0 {
		i += n
	}
	return i, i >= 0 && i < n
}
