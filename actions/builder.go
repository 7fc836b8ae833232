package actions

import (
	"fmt"
	"time"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// Builder hands an action's constructor its checked, compiled fields.
type Builder struct {
	spec   *Spec
	body   *config.Node
	fields map[string]*config.Node
	scopes tmpl.Scopes
	errs   *config.Errors
	// UsesSocket is set when any compiled field reads socket.
	usesSocket bool
}

// newBuilder checks body against spec's fields and returns the builder, or nil when the
// fields are unusable (errors were reported).
func newBuilder(spec *Spec, body *config.Node, scopes tmpl.Scopes, errs *config.Errors) *Builder {
	b := &Builder{spec: spec, body: body, fields: map[string]*config.Node{}, scopes: scopes, errs: errs}
	if spec.ShorthandOnly || (spec.Shorthand != "" && body.Kind != config.MapNode) {
		b.fields[spec.Shorthand] = body
		return b
	}
	if body.Kind != config.MapNode {
		errs.Add(body.Pos, body.Path, "%s takes a mapping of its fields, got %s", spec.Name, body.Describe())
		return nil
	}
	if spec.ShorthandObject != "" && meantAsObject(body, spec.Fields) {
		e := body.Entries[0]
		errs.Add(e.KeyPos, config.ChildPath(body.Path, e.Key), "unknown field%s; %s write %s: { %s: %s }",
			config.Suggest(e.Key, fieldNames(spec.Fields)), spec.ShorthandObject, spec.Name, spec.Shorthand, flowObject(body))
		return nil
	}
	if !config.CheckFields(body, spec.Fields, errs) {
		return nil
	}
	for _, e := range body.Entries {
		b.fields[e.Key] = e.Value
	}
	return b
}

// InScope reports whether the action is compiled in scope s (for example inside on_ack).
func (b *Builder) InScope(s tmpl.Scope) bool { return b.scopes[s] }

// Has reports whether the field was written.
func (b *Builder) Has(name string) bool { return b.fields[name] != nil }

// Node returns the field's node, or nil.
func (b *Builder) Node(name string) *config.Node { return b.fields[name] }

// Errorf reports a problem at the field (or at the action when the field is absent).
func (b *Builder) Errorf(name, format string, args ...any) {
	n := b.fields[name]
	if n == nil {
		n = b.body
	}
	b.errs.Add(n.Pos, n.Path, format, args...)
}

// Value compiles a field of any shape, or returns nil when it is absent.
func (b *Builder) Value(name string) tmpl.Template {
	n := b.fields[name]
	if n == nil {
		return nil
	}
	return b.track(tmpl.Compile(n, b.scopes, b.errs))
}

// Text compiles a string field that may embed expressions, or returns nil when absent.
func (b *Builder) Text(name string) tmpl.Template {
	n := b.fields[name]
	if n == nil {
		return nil
	}
	if n.Kind != config.ScalarNode || n.Value == nil {
		b.errs.Add(n.Pos, n.Path, "expected a string, got %s", n.Describe())
		return nil
	}
	if s, ok := n.Value.(string); ok {
		return b.track(tmpl.CompileText(n, s, b.scopes, b.errs))
	}
	return tmpl.Const(tmpl.Stringify(n.Value))
}

// TextList compiles a field holding one string or a list of strings, or returns nil when absent.
func (b *Builder) TextList(name string) []tmpl.Template {
	n := b.fields[name]
	if n == nil {
		return nil
	}
	items := []*config.Node{n}
	if n.Kind == config.ListNode {
		items = n.Items
	}
	var out []tmpl.Template
	for _, it := range items {
		if it.Kind != config.ScalarNode || it.Value == nil {
			b.errs.Add(it.Pos, it.Path, "expected a string or a list of strings, got %s", it.Describe())
			continue
		}
		if s, ok := it.Value.(string); ok {
			out = append(out, b.track(tmpl.CompileText(it, s, b.scopes, b.errs)))
		} else {
			out = append(out, tmpl.Const(tmpl.Stringify(it.Value)))
		}
	}
	return out
}

// Bool returns a literal bool field, or its declared default.
func (b *Builder) Bool(name string) bool {
	if n := b.fields[name]; n != nil {
		v, _ := n.Value.(bool)
		return v
	}
	f, _ := config.Lookup(b.spec.Fields, name)
	v, _ := f.Default.(bool)
	return v
}

// Duration returns a literal duration field, or 0 when absent.
func (b *Builder) Duration(name string) time.Duration {
	if n := b.fields[name]; n != nil {
		return n.Duration()
	}
	return 0
}

// Steps compiles a nested list of steps run later in scope (for example on_ack).
func (b *Builder) Steps(name string, scope tmpl.Scope) Steps {
	n := b.fields[name]
	if n == nil {
		return nil
	}
	steps := compileSteps(config.ParseSteps(n, b.errs), withScope(b.scopes, scope), b.errs)
	if steps.usesSocket() {
		b.usesSocket = true
	}
	return steps
}

func (b *Builder) track(t tmpl.Template) tmpl.Template {
	if t != nil && t.UsesSocket() {
		b.usesSocket = true
	}
	return t
}

// String names the action being built, for messages.
func (b *Builder) String() string { return fmt.Sprintf("%s at %s", b.spec.Name, b.body.Pos) }
