package tmpl_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// defaultSteps is server.limits.expression_steps when the config leaves it out.
var defaultSteps = int64(config.DefaultServer().Limits.ExpressionSteps)

// reduceLoop is work a client sizes: it loops data times over a growing string.
const reduceLoop = `${{ len(reduce(1..data, {#acc + "xxxxxxxxxx"}, "")) }}`

func compileValue(t testing.TB, src string) tmpl.Template {
	t.Helper()
	f, err := config.Parse("t.yaml", []byte("version: 1\nnamespaces: {}\nv: "+src+"\n"))
	if f == nil {
		t.Fatalf("parse: %v", err)
	}
	var errs config.Errors
	tpl := tmpl.Compile(f.Root.Get("v"), tmpl.Scopes{tmpl.EventScope: true}, &errs)
	if err := errs.Err(); err != nil {
		t.Fatal(err)
	}
	return tpl
}

// withBudget is env bounded by a fresh budget of steps.
func withBudget(env *tmpl.Env, steps int64) *tmpl.Env {
	b := new(tmpl.Budget)
	b.Reset(steps)
	env.SetBudget(b)
	return env
}

// TestBudgetStopsClientSizedWork: the loop a client sizes stops at the budget, with a message
// that names the limit and its setting.
func TestBudgetStopsClientSizedWork(t *testing.T) {
	tpl := compileValue(t, reduceLoop)
	_, err := tpl.Eval(withBudget(&tmpl.Env{Data: 40000.0}, defaultSteps))
	var be *tmpl.BudgetError
	if !errors.As(err, &be) || be.Limit != defaultSteps {
		t.Fatalf("got %v, want a BudgetError of %d", err, defaultSteps)
	}
	if want := "more than 100000 steps (server.limits.expression_steps"; !strings.Contains(err.Error(), want) {
		t.Fatalf("message %q does not name the limit: %q", err, want)
	}
}

// TestBudgetBoundsEachCostlyOperation: every way found to make a small event cost a lot
// runs out of a default budget; ordinary expressions over large events do not.
func TestBudgetBoundsEachCostlyOperation(t *testing.T) {
	big := strings.Repeat("x", 100000)
	many := make([]any, 50000)
	for i := range many {
		many[i] = float64(i)
	}
	items := make([]any, 1000)
	for i := range items {
		items[i] = map[string]any{"id": float64(i), "name": "item", "tags": []any{"a", "b"}}
	}
	tests := []struct {
		name  string
		src   string
		data  any
		fails bool
	}{
		{"a loop the client sizes", reduceLoop, 40000.0, true},
		{"a range the client sizes", "${{ len(1..data) }}", 900000.0, true},
		{"a predicate the client sizes", "'${{ count(1..data, # % 7 == 0) }}'", 90000.0, true},
		{"repeat", "${{ len(repeat(data.s, data.n)) }}", map[string]any{"s": big, "n": 1000.0}, true},
		{"replace with an empty old", `${{ len(replace(data, "", data)) }}`, big[:5000], true},
		{"join with a long glue", "${{ len(join(map(1..1000, ''), data)) }}", big, true},
		{"split into characters", `${{ len(split(data, "")) }}`, big + big, true},
		{"uniq of many", "${{ len(uniq(data)) }}", many[:2000], true},
		{"one value many times, as JSON", "${{ len(toJSON(map(1..1000, data))) }}", big, true},
		{"one value many times, as the result", "${{ map(1..1000, data) }}", big, true},
		{"a scan in a loop", "${{ count(1..1000, data contains 'y') }}", big, true},
		{"a comparison in a loop", "${{ count(1..1000, data == data + '') }}", big, true},
		{"membership in a loop", "'${{ count(1..1000, # in data) }}'", many, true},
		{"a sum in a loop", "${{ len(map(1..100, sum(data))) }}", many, true},
		{"a pattern the client writes", "${{ 'a' matches data }}", big + big, true},
		{"jwt in a loop", "${{ len(map(1..1000, jwt(data, 'k'))) }}", "a.b.c", true},
		{"the payload passed on", "${{ data }}", big + big, false},
		{"text around the payload", "${{ data + ' from ' + socket.id }}", big, false},
		{"an object around the payload", `'${{ {"text": data, "from": socket.id} }}'`, big, false},
		{"a map over a thousand items", `'${{ map(data, #.name + "!") }}'`, items, false},
		{"a filter and a count over a thousand items", `'${{ count(data, "a" in #.tags and #.id > 10) }}'`, items, false},
		{"the payload as JSON", "${{ toJSON(data) }}", items, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl := compileValue(t, tt.src)
			_, err := tpl.Eval(withBudget(&tmpl.Env{Data: tt.data, Socket: tmpl.Socket{ID: "sid"}}, defaultSteps))
			var be *tmpl.BudgetError
			if spent := errors.As(err, &be); spent != tt.fails {
				t.Fatalf("budget spent: %v, want %v (err %v)", spent, tt.fails, err)
			}
			if err != nil && !tt.fails {
				t.Fatal(err)
			}
		})
	}
}

// TestBudgetIsPerRun: the expressions of one run share its budget, and a spent budget stays
// spent until it is reset; without a budget nothing is limited.
func TestBudgetIsPerRun(t *testing.T) {
	tpl := compileValue(t, "${{ count(1..data, true) }}")
	env := withBudget(&tmpl.Env{Data: 30000.0}, defaultSteps)
	if _, err := tpl.Eval(env); err != nil {
		t.Fatalf("first expression of the run: %v", err)
	}
	if _, err := tpl.Eval(env); !errors.As(err, new(*tmpl.BudgetError)) {
		t.Fatalf("second expression of the run: %v, want the budget spent", err)
	}
	if _, err := compileValue(t, "${{ 1 + 1 }}").Eval(env); err != nil {
		t.Fatalf("an expression that meters nothing: %v", err)
	}
	if _, err := compileValue(t, "${{ upper('a') }}").Eval(env); !errors.As(err, new(*tmpl.BudgetError)) {
		t.Fatalf("a spent budget let an expression run: %v", err)
	}
	env.SetBudget(nil)
	if got, err := compileValue(t, reduceLoop).Eval(&tmpl.Env{Data: 2000.0}); err != nil || got != 20000 {
		t.Fatalf("without a budget: %v, %v", got, err)
	}
}

// BenchmarkBudget compares expressions with and without a budget; the loop a client sizes is
// run with one only, as it takes seconds without.
func BenchmarkBudget(b *testing.B) {
	benchmarks := []struct {
		name       string
		src        string
		data       any
		budgetOnly bool
	}{
		{"data", "${{ data }}", map[string]any{"text": "hello"}, false},
		{"chat line", `${{ data.text + " from " + socket.id }}`, map[string]any{"text": "hello"}, false},
		{"map over ten items", "'${{ map(data, # * 2) }}'", []any{1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0}, false},
		{"reduce loop of 40000", reduceLoop, 40000.0, true},
	}
	for _, bm := range benchmarks {
		tpl := compileValue(b, bm.src)
		for _, budget := range []bool{false, true} {
			if bm.budgetOnly && !budget {
				continue
			}
			name := bm.name + "/no budget"
			if budget {
				name = bm.name + "/budget"
			}
			b.Run(name, func(b *testing.B) {
				var bud tmpl.Budget
				env := &tmpl.Env{Data: bm.data, Socket: tmpl.Socket{ID: "sid"}}
				if budget {
					env.SetBudget(&bud)
				}
				for b.Loop() {
					bud.Reset(defaultSteps)
					_, _ = tpl.Eval(env)
				}
			})
		}
	}
}
