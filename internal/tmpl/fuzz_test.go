package tmpl_test

import (
	"encoding/json"
	"testing"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// FuzzTemplate: any expression text compiles to a template or a positioned error, and a
// compiled template evaluated over any JSON payload, within a budget, returns a value or an
// error, never a panic.
func FuzzTemplate(f *testing.F) {
	for _, seed := range [][2]string{
		{"${{ data.name }} joined", `{"name":"ann"}`},
		{`'${{ {"sum": data.a + data.b} }}'`, `{"a":1,"b":2}`},
		{"${{ data[0] ?? 'none' }}", `[1,2]`},
		{"${{ len(data) > 3 ? upper(data) : data }}", `"abcd"`},
		{"${{ map(data, # * 2) }}", `[1,2,3]`},
		{"${{ toJSON(data) }} and ${{ args }}", `null`},
		{"${{ data.x.y.z }}", `"str"`},
		{"${{ jwt(data, 'k') }}", `"a.b.c"`},
		{"${{ reduce(1..data, #acc + #, 0) }}", `5`},
		{"${{ filter(data, # contains 'a' or # == data[0] or # in data) }}", `["a","b"]`},
		{"${{ repeat(data, 3) + join(split(data, ''), '-') }}", `"ab"`},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, value, payload string) {
		fc, _ := config.Parse("t.yaml", []byte("version: 1\nnamespaces: {}\nv: "+value+"\n"))
		if fc == nil || fc.Root.Get("v") == nil {
			return
		}
		var errs config.Errors
		tpl := tmpl.Compile(fc.Root.Get("v"), tmpl.Scopes{tmpl.EventScope: true}, &errs)
		for _, e := range errs {
			if e.Pos.Line == 0 {
				t.Fatalf("compile error without a position: %v", e)
			}
		}
		if len(errs) > 0 {
			return
		}
		var data any
		if json.Unmarshal([]byte(payload), &data) != nil {
			return
		}
		env := &tmpl.Env{Data: data, Args: []any{data}, Auth: map[string]any{}}
		var budget tmpl.Budget
		budget.Reset(100000)
		env.SetBudget(&budget)
		_, _ = tpl.Eval(env)
	})
}
