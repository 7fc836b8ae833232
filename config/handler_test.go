package config_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ioroute/ioroute/config"
)

// TestHandlerForms: a handler is a list of steps, or a mapping with do, when and on_error; a
// namespace may have an on_error beside on; a step may have for_each beside when.
func TestHandlerForms(t *testing.T) {
	src := `version: 1
namespaces:
  /a:
    on_error:
      - print: ns
    on:
      plain:
        - print: hi
          for_each: [a, b]
      guarded:
        when: data > 1
        do:
          - print: big
        on_error: []
`
	f, err := config.Parse("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	ns := f.Namespaces[0]
	if len(ns.OnError) != 1 || ns.OnError[0].Path != "namespaces./a.on_error[0]" || ns.OnErrorNode == nil {
		t.Fatalf("namespace on_error = %+v", ns.OnError)
	}
	plain, guarded := ns.Handlers[0], ns.Handlers[1]
	if plain.When != nil || plain.OnErrorNode != nil || len(plain.Steps) != 1 {
		t.Fatalf("plain = %+v", plain)
	}
	if st := plain.Steps[0]; st.ForEach == nil || st.ForEach.Kind != config.ListNode || st.ForEach.Pos.String() != "c.yaml:9:21" {
		t.Fatalf("for_each = %+v", st.ForEach)
	}
	if guarded.When == nil || guarded.When.Text != "data > 1" || guarded.When.Path != "namespaces./a.on.guarded.when" {
		t.Fatalf("guard = %+v", guarded.When)
	}
	if len(guarded.Steps) != 1 || guarded.Steps[0].Path != "namespaces./a.on.guarded.do[0]" {
		t.Fatalf("do = %+v", guarded.Steps)
	}
	if guarded.OnErrorNode == nil || len(guarded.OnError) != 0 {
		t.Fatalf("an empty on_error of its own: node %v, steps %v", guarded.OnErrorNode, guarded.OnError)
	}
}

// TestHandlerFormErrors: what cannot be a handler, an on_error or a step's key, with position,
// path and what to write instead.
func TestHandlerFormErrors(t *testing.T) {
	handler := func(lines ...string) string {
		return "version: 1\nnamespaces:\n  /a:\n    on:\n      x:\n" + strings.Join(lines, "\n") + "\n"
	}
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"a step without its dash", handler("        print: hi"), []string{
			`c.yaml:6:9: namespaces./a.on.x: expected a list of steps (each line starting with "- ", as in - print: ...) or a mapping with do, when and on_error; got a mapping with "print"`}},
		{"a guard without do", handler("        when: data > 1"), []string{
			`c.yaml:6:9: namespaces./a.on.x: missing required field "do"`}},
		{"a misspelt key of the mapping form", handler("        do: []", "        on_eror: []"), []string{
			`c.yaml:7:9: namespaces./a.on.x.on_eror: unknown field; did you mean "on_error"?`}},
		{"on_error inside on_error, as a mapping", handler("        do: []", "        on_error:", "          do: []", "          on_error: []"), []string{
			"c.yaml:9:11: namespaces./a.on.x.on_error.on_error: on_error inside on_error: an error in on_error is logged and ends the handler there; " +
				"remove the inner on_error, and write on_error as a list of steps"}},
		{"on_error inside on_error, beside a step", handler("        do: []", "        on_error:", "          - print: x", "            on_error: []"), []string{
			"c.yaml:9:13: namespaces./a.on.x.on_error[0].on_error: on_error inside on_error: an error in on_error is logged and ends the handler there; remove it"}},
		{"on_error in a namespace's on_error", "version: 1\nnamespaces:\n  /a:\n    on_error:\n      - on_error: []\n", []string{
			"c.yaml:5:9: namespaces./a.on_error[0].on_error: on_error inside on_error: an error in on_error is logged and ends the handler there; remove it"}},
		{"on_error beside an action", handler("        - print: x", "          on_error: []"), []string{
			"c.yaml:7:11: namespaces./a.on.x[0].on_error: on_error is not an action or a key of a step: it goes beside do in a handler " +
				"(message: { do: [...], on_error: [...] }), or beside on in a namespace"}},
		{"a misspelt for_each", handler("        - print: x", "          forEach: [a]"), []string{
			`c.yaml:7:11: namespaces./a.on.x[0].forEach: unknown field; did you mean "for_each"?`}},
		{"a step with only for_each", handler("        - for_each: [a]"), []string{
			"c.yaml:6:11: namespaces./a.on.x[0]: a step needs an action besides `when` and `for_each`"}},
		{"binary that is not base64", handler("        - print: !!binary 'a?'"), []string{
			"c.yaml:6:18: namespaces./a.on.x[0].print: a !!binary value is base64, such as !!binary aGVsbG8=; this is not: illegal base64 data at input byte 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("c.yaml", []byte(tt.src))
			if err == nil || err.Error() != strings.Join(tt.want, "\n") {
				t.Fatalf("got\n%v\nwant\n%s", err, strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestBinaryValue: a !!binary value is the bytes its base64 encodes, over several lines too.
func TestBinaryValue(t *testing.T) {
	f, err := config.Parse("c.yaml", []byte("version: 1\nnamespaces: {}\nv: !!binary |\n  aGVs\n  bG8=\n"))
	if f == nil {
		t.Fatal(err) // v is an unknown key, which does not stop the parse
	}
	v := f.Root.Get("v")
	if !reflect.DeepEqual(v.Value, []byte("hello")) || v.Describe() != "binary" {
		t.Fatalf("value %#v (%s)", v.Value, v.Describe())
	}
}
