package tmpl_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// goNames are what a message must not hold: the Go types behind values.
var goNames = regexp.MustCompile(`interface|float64|int64|map\[|\[\]|tmpl\.|<nil>|\bbool\b`)

// TestCompileMessages: a mistake found when the config loads says what is wrong in the
// config's terms and, for a misspelt name, what was probably meant.
func TestCompileMessages(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"misspelt name", "${{ dta }}", `t.yaml:3:8: v: unknown name "dta"; did you mean "data"?`},
		{"misspelt builtin", "${{ uper(data) }}", `t.yaml:3:8: v: unknown name "uper"; did you mean "upper"?`},
		{"unknown name, nothing close", "${{ zzzzzz }}", `t.yaml:3:8: v: unknown name "zzzzzz" (known: args, auth, data, env, event, namespace, socket)`},
		{"misspelt socket field", "${{ socket.roms }}", `t.yaml:3:15: v: socket has no field "roms"; did you mean "rooms"?`},
		{"misspelt handshake field", "${{ socket.handshake.adress }}", `t.yaml:3:25: v: socket.handshake has no field "adress"; did you mean "address"?`},
		{"misspelt name through $env", "${{ $env.dta }}", `t.yaml:3:13: v: unknown name "dta"; did you mean "data"?`},
		{"field of a string", "${{ socket.id.x }}", `t.yaml:3:18: v: socket.id is a string, which has no field "x"`},
		{"operands of +", "${{ socket.id + 1 }}", `t.yaml:3:18: v: + needs two numbers or two strings, got a string and a number`},
		{"operand of not", "${{ not socket.id }}", `t.yaml:3:8: v: not needs true or false, got a string`},
		{"right of in", "${{ data in 3 }}", `t.yaml:3:13: v: in needs an array or an object on its right, got a number`},
		{"condition of ?:", "'${{ socket.id ? 1 : 2 }}'", `t.yaml:3:16: v: a condition must be true or false, got a string`},
		{"predicate", "${{ filter(args, 1) }}", `t.yaml:3:21: v: this predicate must yield true or false, got a number`},
		{"builtin on a string", "${{ filter(socket.id, true) }}", `t.yaml:3:22: v: filter() takes an array, got a string`},
		{"index of a list", "${{ socket.rooms.x }}", `t.yaml:3:21: v: array items are read by whole numbers, such as [0], not by a string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs config.Errors
			tmpl.Compile(value(t, tt.src), tmpl.Scopes{tmpl.EventScope: true}, &errs)
			err := errs.Err()
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got  %v\nwant %s", err, tt.want)
			}
			if goNames.MatchString(err.Error()) {
				t.Fatalf("%q names a Go type", err)
			}
		})
	}
}

// TestConditionMessages: a when that cannot be a boolean is refused when the config loads;
// one that is not a boolean on an event fails then.
func TestConditionMessages(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		data    any
		compile string
		run     string
	}{
		{"a number, known when loading", "len(args)", nil, "t.yaml:3:4: v: a when must be true or false, but this yields a number", ""},
		{"a string, known when loading", "socket.id", nil, "t.yaml:3:4: v: a when must be true or false, but this yields a string", ""},
		{"a number, known on the event", "data.a + 1", map[string]any{"a": 1.0}, "", "data.a + 1: a when must be true or false, got a number 2"},
		{"null", "data.a", map[string]any{}, "", "data.a: a when must be true or false, got null"},
		{"a boolean", "data.a > 0", map[string]any{"a": 1.0}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs config.Errors
			p := tmpl.CompileCondition(value(t, tt.src), tmpl.Scopes{tmpl.EventScope: true}, &errs)
			if got := errText(errs.Err()); got != tt.compile {
				t.Fatalf("compile: got %q, want %q", got, tt.compile)
			}
			if p == nil {
				return
			}
			_, err := p.Run(&tmpl.Env{Data: tt.data})
			if got := errText(err); got != tt.run {
				t.Fatalf("run: got %q, want %q", got, tt.run)
			}
		})
	}
}

// TestRunMessages: an expression that fails on an event says what it expected and what the
// event held, as a JSON type with an excerpt of the value.
func TestRunMessages(t *testing.T) {
	long := strings.Repeat("long text ", 10)
	tests := []struct {
		name string
		src  string
		data any
		want string
	}{
		{"a string where an object is expected", "${{ data.roomName }}", "a string",
			`data.roomName: expected data to be an object, got a string "a string"`},
		{"a missing object", "${{ data.user.name }}", map[string]any{},
			`data.user.name: expected data.user to be an object, got null; write data.user?.name if it may be missing`},
		{"an object where an array is expected", "${{ data[0] }}", map[string]any{"a": 1.0},
			`data[0]: expected data to be an array, got an object {"a":1}`},
		{"an index past the end", "${{ data.list[5] }}", map[string]any{"list": []any{1.0, 2.0, 3.0}},
			`data.list[5]: index 5 is out of range: data.list has 3 items`},
		{"a long value is cut", "${{ data.x }}", long,
			`data.x: expected data to be an object, got a string "` + long[:39] + `…`},
		{"a large object is cut", "${{ data.a.b }}", map[string]any{"a": []any{"a long string of text", "and another long one"}},
			`data.a.b: expected data.a to be an object, got an array ["a long string of text","and another lo…`},
		{"operands of +", "${{ data.a + 1 }}", map[string]any{"a": "x"},
			`data.a + 1: + needs two numbers or two strings, got a string "x" and a number 1`},
		{"operands of <", "${{ data.a < 3 }}", map[string]any{"a": "x"},
			`data.a < 3: < needs two numbers or two strings, got a string "x" and a number 3`},
		{"operand of unary minus", "${{ -data }}", "x", `-data: - needs a number, got a string "x"`},
		{"operand of not", "${{ not data }}", "x", `not data: not needs true or false, got a string "x"`},
		{"an element of a predicate", "'${{ map(data, # * 2) }}'", []any{"a"},
			`map(data, # * 2): * needs two numbers, got a string and a number 2`},
		{"argument of a builtin", "${{ upper(data) }}", 5.0, `upper(data): upper() needs a string, got a number 5`},
		{"argument of len", "${{ len(data) }}", 5.0, `len(data): len() needs a string, an array or an object, got a number 5`},
		{"argument of int", "${{ int(data) }}", "abc", `int(data): int() needs a number or a string that holds one, got a string "abc"`},
		{"condition of ?:", "'${{ data ? 1 : 2 }}'", "x", `data ? 1 : 2: a condition must be true or false, got a string "x"`},
		{"division by zero", "${{ 7 % data }}", 0.0, `7 % data: % needs two numbers, got a number 7 and a number 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs config.Errors
			tpl := tmpl.Compile(value(t, tt.src), tmpl.Scopes{tmpl.EventScope: true}, &errs)
			if err := errs.Err(); err != nil {
				t.Fatal(err)
			}
			_, err := tpl.Eval(&tmpl.Env{Data: tt.data})
			if _, ok := err.(*tmpl.EvalError); !ok || err.Error() != tt.want {
				t.Fatalf("got  %v\nwant %s", err, tt.want)
			}
			if goNames.MatchString(err.Error()) {
				t.Fatalf("%q names a Go type", err)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
