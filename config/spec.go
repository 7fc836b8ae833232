package config

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// Type is the type of a field as the config author writes it.
type Type string

// The field types. Template types may hold ${{ }} expressions.
const (
	// String is literal text.
	String Type = "string"
	// Bool is true or false.
	Bool Type = "bool"
	// Int is a whole number.
	Int Type = "int"
	// Duration is a Go duration string such as "300ms" or "25s".
	Duration Type = "duration"
	// StringList is a list of literal strings.
	StringList Type = "string-list"
	// Object is a mapping with its own Fields.
	Object Type = "object"
	// Map is a mapping whose keys are names chosen by the author (namespaces, events).
	Map Type = "map"
	// Value is any YAML value; ${{ }} anywhere inside it is evaluated per event.
	Value Type = "value"
	// Text is a string that may embed ${{ }} expressions.
	Text Type = "text"
	// TextList is one string or a list of strings, each of which may embed ${{ }}.
	TextList Type = "text-list"
	// ValueList is a list of values, or one ${{ }} yielding a list.
	ValueList Type = "value-list"
	// ValueMap is a mapping whose keys are names chosen by the author, each holding a Value.
	ValueMap Type = "value-map"
	// Steps is a nested list of action steps, run later (for example when a client acknowledges).
	Steps Type = "steps"
	// Expr is a bare expr expression (no ${{ }}), such as a condition.
	Expr Type = "expr"
)

// Field declares one key of a mapping: the single source of its schema, checks and docs.
type Field struct {
	Name     string
	Type     Type
	Doc      string
	Required bool
	// Default is the value used when the key is absent, written as the YAML value would be
	// read: a string (durations too), an int, a bool, or map[string]any{} for an object whose
	// own keys' defaults apply even when it is left out. The server settings are decoded from it
	// by the same code that decodes a written value, so it is their only statement of a default.
	Default any
	// Restart is true when a changed value takes effect only after a restart ("restart
	// required"), because what it configures is built once at start (the listener, the engine,
	// the adapter); false when a reload applies it ("applies on reload"). It is declared on the
	// top-level server settings, and the keys inside a setting follow it.
	Restart bool
	// Fields declares the keys of an Object field, or of each value of a Map field.
	Fields []Field
	// Example is a YAML snippet showing the field in use.
	Example string
}

// Lookup finds a field by name.
func Lookup(fields []Field, name string) (Field, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// withDefaults lists the entries of mapping n (nil for none) as written, followed by an entry
// holding the Default of each field that n leaves out and that declares one. Decoding these
// entries reads a default through the same code as a written value.
func withDefaults(n *Node, fields []Field) []Entry {
	var out []Entry
	path := ""
	if n != nil {
		out = append(out, n.Entries...)
		path = n.Path
	}
	for _, f := range fields {
		if f.Default == nil || n.Get(f.Name) != nil {
			continue
		}
		out = append(out, Entry{Key: f.Name, Value: defaultNode(f.Default, ChildPath(path, f.Name))})
	}
	return out
}

// defaultNode turns a declared Default into the node a config author would have written.
func defaultNode(v any, path string) *Node {
	switch v := v.(type) {
	case string:
		return &Node{Kind: ScalarNode, Value: v, Text: v, Path: path}
	case int:
		return &Node{Kind: ScalarNode, Value: v, Text: strconv.Itoa(v), Path: path}
	case bool:
		return &Node{Kind: ScalarNode, Value: v, Text: strconv.FormatBool(v), Path: path}
	case map[string]any:
		n := &Node{Kind: MapNode, Path: path}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			n.Entries = append(n.Entries, Entry{Key: k, Value: defaultNode(v[k], ChildPath(path, k))})
		}
		return n
	}
	panic(fmt.Sprintf("config: default %#v of %s has a type no config value has", v, path))
}
