package config

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
	// Default is the value used when the key is absent (documentation and schema only).
	Default any
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
