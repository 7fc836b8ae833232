package tmpl_test

import (
	"math"
	"reflect"
	"testing"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// value parses `v: <src>` and returns the node of v.
func value(t *testing.T, src string) *config.Node {
	t.Helper()
	f, err := config.Parse("t.yaml", []byte("version: 1\nnamespaces: {}\nv: "+src+"\n"))
	if f == nil {
		t.Fatalf("parse: %v", err)
	}
	return f.Root.Get("v")
}

func TestTemplates(t *testing.T) {
	env := &tmpl.Env{Data: map[string]any{"name": "ann", "n": 2.0, "tags": []any{"a", "b"}}, Args: []any{"x", 1.0}, Event: "ev"}
	tests := []struct {
		name  string
		src   string
		want  any
		konst bool
	}{
		{"literal string", "hello", "hello", true},
		{"literal number", "3", 3, true},
		{"literal map", "{a: 1, b: [x]}", map[string]any{"a": 1, "b": []any{"x"}}, true},
		{"one expression keeps its type", "${{ data.n * 2 }}", 4.0, false},
		{"one expression yielding a map", `'${{ {"sum": data.n + 1} }}'`, map[string]any{"sum": 3.0}, false},
		{"nested braces inside", `'${{ {"a": {"b": data.name}} }}'`, map[string]any{"a": map[string]any{"b": "ann"}}, false},
		{"text around makes a string", "${{ data.name }} joined", "ann joined", false},
		{"non-strings render as JSON", "tags ${{ data.tags }} n=${{ data.n }} none=${{ data.missing }}", `tags ["a","b"] n=2 none=null`, false},
		{"expressions deep in a tree", "{who: '${{ data.name }}', list: [1, '${{ args[1] }}'], at: fixed}", map[string]any{"who": "ann", "list": []any{1, 1.0}, "at": "fixed"}, false},
		{"text is not HTML-escaped", `'${{ {"who": "Tom & <Jerry>"} }} & co'`, `{"who":"Tom & <Jerry>"} & co`, false},
		{"braces in string literals", `'${{ "}}" + data.name }}'`, "}}ann", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs config.Errors
			tpl := tmpl.Compile(value(t, tt.src), tmpl.Scopes{tmpl.EventScope: true}, &errs)
			if err := errs.Err(); err != nil {
				t.Fatal(err)
			}
			got, err := tpl.Eval(env)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) || tpl.Const() != tt.konst {
				t.Fatalf("got %#v (const %v), want %#v (const %v)", got, tpl.Const(), tt.want, tt.konst)
			}
		})
	}
}

func TestCompileErrorsPointInsideTheValue(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		scopes tmpl.Scopes
		want   string
	}{
		{"plain", "${{ dta }}", nil, `t.yaml:3:8: v: unknown name "dta"; did you mean "data"?`},
		{"quoted", `"x ${{ 1 + dta }}"`, nil, `t.yaml:3:15: v: unknown name "dta"; did you mean "data"?`},
		{"second expression", "${{ data }} and ${{ nope }}", nil, `t.yaml:3:24: v: unknown name "nope"; did you mean "none"?`},
		{"scoped name", "${{ reply }}", nil, `t.yaml:3:8: v: "reply" is available only inside on_ack`},
		{"scoped name allowed", "${{ reply }}", tmpl.Scopes{tmpl.AckScope: true}, ""},
		{"empty", "${{ }}", nil, "t.yaml:3:4: v: empty ${{ }}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs config.Errors
			scopes := tt.scopes
			if scopes == nil {
				scopes = tmpl.Scopes{tmpl.EventScope: true}
			}
			tmpl.Compile(value(t, tt.src), scopes, &errs)
			got := ""
			if err := errs.Err(); err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRuntimeErrorsCarryThePosition(t *testing.T) {
	var errs config.Errors
	tpl := tmpl.Compile(value(t, "${{ data.roomName }}"), tmpl.Scopes{tmpl.EventScope: true}, &errs)
	if err := errs.Err(); err != nil {
		t.Fatal(err)
	}
	_, err := tpl.Eval(&tmpl.Env{Data: "a string"})
	ee, ok := err.(*tmpl.EvalError)
	if !ok || ee.Pos.String() != "t.yaml:3:8" || ee.Source != "data.roomName" {
		t.Fatalf("got %#v", err)
	}
}

func TestConditions(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{"data > 10", ""},
		{"true", ""},
		{"len(args)", "t.yaml:3:4: v: a when must be true or false, but this yields a number"},
		{"'${{ data }}'", "t.yaml:3:4: v: `when` is a bare expression: write `when: data > 10`, without ${{ }}"},
		{"[1, 2]", "t.yaml:3:4: v: expected an expression that yields a bool, such as `data > 10`; got list"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			var errs config.Errors
			tmpl.CompileCondition(value(t, tt.src), tmpl.Scopes{tmpl.EventScope: true}, &errs)
			got := ""
			if err := errs.Err(); err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStringifyNonFinite(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"NaN alone", math.NaN(), "NaN"},
		{"infinity alone", math.Inf(1), "Infinity"},
		{"minus infinity alone", math.Inf(-1), "-Infinity"},
		{"inside a list", []any{1.5, math.NaN(), "a"}, `[1.5,null,"a"]`},
		{"inside a map", map[string]any{"x": math.Inf(1), "y": []any{math.NaN()}}, `{"x":null,"y":[null]}`},
		{"finite numbers", map[string]any{"n": 2.5}, `{"n":2.5}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tmpl.Stringify(tc.v); got != tc.want {
				t.Fatalf("Stringify(%v) = %q, want %q", tc.v, got, tc.want)
			}
		})
	}
}
