// Package actions defines what each step of a handler does given an event.
//
// Each action lives in one file: its Spec (name, fields, docs, example) and its constructor and
// Run. The Spec is the single source of the JSON Schema, the config checks and the reference docs.
package actions

import (
	"sort"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// Action is one compiled step: it runs for an event given its Context.
type Action interface {
	Run(ctx *Context) error
}

// Spec declares an action once.
type Spec struct {
	// Name is the key that selects the action in a step.
	Name string
	// Doc describes what the action does, for the reference docs and the schema.
	Doc string
	// Fields are the keys of the action's long (mapping) form.
	Fields []config.Field
	// Shorthand names the field that a non-mapping value fills (`send: hello`), or "".
	Shorthand string
	// ShorthandOnly makes every value, mappings too, fill the shorthand field (print).
	ShorthandOnly bool
	// ShorthandObject says what writing an object as the shorthand value does ("to send an
	// object"), for actions whose shorthand field takes any value: a mapping none of whose keys
	// is a field was probably meant as that object, and the error shows how to write it.
	ShorthandObject string
	// Example is a YAML step showing the action in use.
	Example string
	// Provides is a scope that the steps after this one compile in: call's response. Zero
	// (EventScope, which every handler has) provides nothing.
	Provides tmpl.Scope
	// New compiles the action from its fields.
	New func(b *Builder) Action
}

var registry = map[string]*Spec{}

// Register makes an action available to configs. It is called from each action's file.
func Register(s *Spec) {
	if _, dup := registry[s.Name]; dup {
		panic("actions: duplicate action " + s.Name)
	}
	registry[s.Name] = s
}

// Specs returns every registered action, sorted by name.
func Specs() []*Spec {
	out := make([]*Spec, 0, len(registry))
	for _, s := range registry {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Names returns the names of every registered action, sorted.
func Names() []string {
	specs := Specs()
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.Name
	}
	return names
}
