package tmpl

import (
	"encoding/json"
	"math"
	"strings"

	"github.com/ioroute/ioroute/config"
)

// Template is a config value compiled once and evaluated per event.
type Template interface {
	// Eval produces the value for one event.
	Eval(env *Env) (any, error)
	// Const reports whether the value is the same for every event.
	Const() bool
	// UsesSocket reports whether evaluating reads env.Socket or env.Auth (see Program.UsesSocket).
	UsesSocket() bool
}

// Compile compiles a YAML value of any shape: ${{ }} anywhere inside is an expression.
func Compile(n *config.Node, scopes Scopes, errs *config.Errors) Template {
	switch n.Kind {
	case config.MapNode:
		m := &mapT{keys: make([]string, len(n.Entries)), vals: make([]Template, len(n.Entries))}
		for i, e := range n.Entries {
			m.keys[i] = e.Key
			m.vals[i] = Compile(e.Value, scopes, errs)
		}
		return fold(m)
	case config.ListNode:
		l := &listT{items: make([]Template, len(n.Items))}
		for i, it := range n.Items {
			l.items[i] = Compile(it, scopes, errs)
		}
		return fold(l)
	}
	if s, ok := n.Value.(string); ok && !n.Invalid {
		return CompileText(n, s, scopes, errs)
	}
	return constT{n.Value}
}

// CompileText compiles a string that may embed ${{ }}: exactly one expression yields its typed
// value, text around expressions yields a string.
func CompileText(n *config.Node, s string, scopes Scopes, errs *config.Errors) Template {
	parts, ok := split(n, s, errs)
	if !ok {
		return constT{s}
	}
	if len(parts) == 1 && parts[0].expr != "" {
		if p := compile(parts[0].expr, parts[0].pos, n.Path, scopes, false, errs); p != nil {
			return &exprT{p}
		}
		return constT{nil}
	}
	t := &textT{}
	for _, pt := range parts {
		if pt.expr == "" {
			t.parts = append(t.parts, textPart{lit: pt.lit})
			continue
		}
		t.parts = append(t.parts, textPart{prog: compile(pt.expr, pt.pos, n.Path, scopes, false, errs)})
	}
	if len(t.parts) == 1 && t.parts[0].prog == nil {
		return constT{t.parts[0].lit}
	}
	return t
}

// CompileCondition compiles a bare expression that must yield a bool (a step's when).
func CompileCondition(n *config.Node, scopes Scopes, errs *config.Errors) *Program {
	if n.Invalid {
		return nil
	}
	s, ok := n.Value.(string)
	if !ok || n.Kind != config.ScalarNode {
		if b, isBool := n.Value.(bool); isBool && n.Kind == config.ScalarNode {
			s = map[bool]string{true: "true", false: "false"}[b]
		} else {
			errs.Add(n.Pos, n.Path, "expected an expression that yields a bool, such as `data > 10`; got %s", n.Describe())
			return nil
		}
	}
	if strings.Contains(s, "${{") {
		errs.Add(n.Pos, n.Path, "`when` is a bare expression: write `when: data > 10`, without ${{ }}")
		return nil
	}
	before := len(*errs)
	p := compile(s, n.Pos.Shift(n.Quoted), n.Path, scopes, true, errs)
	if p == nil && n.Comment != "" && len(*errs) > before {
		e := (*errs)[len(*errs)-1]
		e.Msg += "; YAML read \"# " + n.Comment + "\" as a comment: if it belongs to the expression, quote the whole `when`"
	}
	return p
}

// Stringify renders a value as text: strings as they are, anything else as compact JSON.
// Numbers that JSON cannot hold read as JavaScript writes them: NaN and Infinity alone (as
// String(x)), null inside a list or an object (as JSON.stringify).
func Stringify(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		switch {
		case math.IsNaN(x):
			return "NaN"
		case math.IsInf(x, 1):
			return "Infinity"
		case math.IsInf(x, -1):
			return "-Infinity"
		}
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // print is for people: "Tom & Jerry", not "Tom \u0026 Jerry"
	if err := enc.Encode(v); err != nil {
		b.Reset()
		if err = enc.Encode(finite(v)); err != nil {
			return "<" + err.Error() + ">"
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// finite is v with every NaN or infinite number in its lists and maps replaced by nil; the
// lists and maps holding one are copied.
func finite(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = finite(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = finite(e)
		}
		return out
	}
	return v
}
