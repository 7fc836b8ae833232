package tmpl

import (
	"testing"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

func BenchmarkScratchBaseline(b *testing.B) {
	for _, src := range []string{`data.text + " from " + socket.id`, `map(data, # * 2)`} {
		prog, err := expr.Compile(src, expr.Env(Env{}))
		if err != nil { b.Fatal(err) }
		b.Run(src, func(b *testing.B) {
			env := &Env{Data: map[string]any{"text": "hello"}, Socket: Socket{ID: "sid"}}
			if src != `data.text + " from " + socket.id` { env.Data = []any{1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0} }
			for b.Loop() {
				m := vms.Get().(*vm.VM)
				_, _ = m.Run(prog, env)
				vms.Put(m)
			}
		})
	}
}
