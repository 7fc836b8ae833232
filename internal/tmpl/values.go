package tmpl

import "strings"

// constT is a value without expressions.
type constT struct{ v any }

func (c constT) Eval(*Env) (any, error) { return c.v, nil }
func (c constT) Const() bool            { return true }
func (c constT) UsesSocket() bool       { return false }

// Const wraps a fixed value as a Template.
func Const(v any) Template { return constT{v} }

// exprT is a value that is exactly one expression: its result keeps its type.
type exprT struct{ p *Program }

func (e *exprT) Eval(env *Env) (any, error) { return e.p.Run(env) }
func (e *exprT) Const() bool                { return false }
func (e *exprT) UsesSocket() bool           { return e.p.UsesSocket }

// textPart is literal text or an expression rendered into text.
type textPart struct {
	lit  string
	prog *Program
}

// textT is a string with embedded expressions.
type textT struct{ parts []textPart }

func (t *textT) Eval(env *Env) (any, error) {
	var b strings.Builder
	for _, p := range t.parts {
		if p.prog == nil {
			b.WriteString(p.lit)
			continue
		}
		v, err := p.prog.Run(env)
		if err != nil {
			return nil, err
		}
		b.WriteString(Stringify(v))
	}
	return b.String(), nil
}
func (t *textT) Const() bool { return false }
func (t *textT) UsesSocket() bool {
	for _, p := range t.parts {
		if p.prog != nil && p.prog.UsesSocket {
			return true
		}
	}
	return false
}

// mapT is a mapping whose values may hold expressions.
type mapT struct {
	keys []string
	vals []Template
}

func (m *mapT) Eval(env *Env) (any, error) {
	out := make(map[string]any, len(m.keys))
	for i, k := range m.keys {
		v, err := m.vals[i].Eval(env)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}
func (m *mapT) Const() bool      { return allConst(m.vals) }
func (m *mapT) UsesSocket() bool { return anySocket(m.vals) }

// listT is a list whose items may hold expressions.
type listT struct{ items []Template }

func (l *listT) Eval(env *Env) (any, error) {
	out := make([]any, len(l.items))
	for i, it := range l.items {
		v, err := it.Eval(env)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}
func (l *listT) Const() bool      { return allConst(l.items) }
func (l *listT) UsesSocket() bool { return anySocket(l.items) }

// fold evaluates a template without expressions once, at compile time.
func fold(t Template) Template {
	if !t.Const() {
		return t
	}
	v, _ := t.Eval(nil)
	return constT{v}
}

func allConst(ts []Template) bool {
	for _, t := range ts {
		if !t.Const() {
			return false
		}
	}
	return true
}

func anySocket(ts []Template) bool {
	for _, t := range ts {
		if t.UsesSocket() {
			return true
		}
	}
	return false
}
