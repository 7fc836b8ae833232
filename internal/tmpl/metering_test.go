package tmpl

import (
	"reflect"
	"testing"

	"github.com/expr-lang/expr"

	"github.com/ioroute/ioroute/config"
)

// TestMeteringKeepsResults: a metered expression yields what it yields unmetered, with and
// without a budget, and fails where it fails unmetered.
func TestMeteringKeepsResults(t *testing.T) {
	data := map[string]any{
		"n": 4.0, "s": "a,b,c", "re": "^a", "list": []any{3.0, 1.0, 2.0, 1.0},
		"words": []any{"bee", "ant", "cat"}, "obj": map[string]any{"k": "v"}, "nil": nil,
	}
	tests := []struct {
		name string
		src  string
	}{
		{"arithmetic in a predicate", "map(data.list, # * 2 + 1)"},
		{"concatenation in a predicate", `map(data.words, # + "!" + #)`},
		{"reduce of numbers", "reduce(data.list, #acc + #, 0)"},
		{"reduce of text", `reduce(data.words, #acc + #, "")`},
		{"comparisons in a predicate", `filter(data.words, # > "b" && # != data.words[0])`},
		{"contains, startsWith, matches", `filter(data.words, # contains "a" || # startsWith "c" || # matches data.re)`},
		{"membership", "filter(data.list, # in data.list[1:])"},
		{"membership in an object", `filter(data.words, # in data.obj)`},
		{"nested predicates", "map(data.list, map(data.list, # + 1))"},
		{"predicate with index", "map(data.words, #index)"},
		{"range from the payload", "1..data.n"},
		{"range in a predicate", "map(data.list, len(1..#))"},
		{"sum of a range", "sum(1..data.n)"},
		{"count", "count(data.list, # > 1)"},
		{"len of filter", "len(filter(data.list, # > 1))"},
		{"first of filter", "filter(data.list, # > 1)[0]"},
		{"sum of map", "sum(map(data.list, # * 2))"},
		{"all and all", "all(data.list, # > 0) && all(data.list, # < 5)"},
		{"sortBy and groupBy", "[sortBy(data.words, #), groupBy(data.list, # > 1)]"},
		{"find and findIndex", "[find(data.words, # == 'cat'), findIndex(data.list, # == 2)]"},
		{"repeat, replace, join, split", `[repeat("ab", data.n), replace(data.s, ",", ";"), join(data.words, "-"), split(data.s, ","), splitAfter(data.s, ",")]`},
		{"take, uniq, sort, reverse, flatten, concat", "[take(data.list, 2), uniq(data.list), sort(data.list), reverse(data.list), flatten([data.list, [1]]), concat(data.list, data.words)]"},
		{"text builtins", `[upper(data.s), lower("A"), trim(" x "), indexOf(data.s, "b"), hasPrefix(data.s, "a")]`},
		{"numbers", "[max(data.list), min(data.list), mean(data.list), median(data.list), abs(-1), int('3'), float(data.n)]"},
		{"objects", "[keys(data.obj), values(data.obj), toPairs(data.obj), fromPairs([['a', 1]])]"},
		{"JSON and text", "[toJSON(data.obj), fromJSON('[1]'), string(data.list), toBase64(data.s)]"},
		{"let", "let x = data.n; let y = x + 1; [x, y]"},
		{"optional chains", "[data?.obj?.k, data.nil?.x, data.obj?.['k']]"},
		{"nil coalescing in a predicate", "map(data.words, data.nil ?? #)"},
		{"conditional in a predicate", "map(data.list, # > 1 ? 'big' : 'small')"},
		{"pipes", "data.words | map(upper(#)) | join(',')"},
		{"if else", "if data.n > 3 { 'big' } else { 'small' }"},
		{"constant folding", `"a" + "b" + string(1..3)`},
		{"fails the same", "map(data.words, # * 2)"},
		{"fails on a missing member", "map(data.list, #.x.y)"},
	}
	all := Scopes{EventScope: true}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain, err := expr.Compile(tt.src, expr.Env(Env{}))
			if err != nil {
				t.Fatalf("unmetered: %v", err)
			}
			env := &Env{Data: data}
			want, wantErr := expr.Run(plain, env)
			var errs config.Errors
			p := compile(tt.src, config.Pos{}, "v", all, false, &errs)
			if p == nil {
				t.Fatal(errs.Err())
			}
			for _, budget := range []*Budget{nil, {left: 1 << 40, limit: 1 << 40}} {
				env.SetBudget(budget)
				got, err := p.Run(env)
				if (err != nil) != (wantErr != nil) || !reflect.DeepEqual(got, want) {
					t.Fatalf("budget %v: got %#v, %v\nwant %#v, %v", budget != nil, got, err, want, wantErr)
				}
			}
		})
	}
}
