package actions

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// for_each, beside a step's action as when is, runs the step once per item of a list, with
// item and index set; when is evaluated per item. Each item runs the action (an emission, a
// disconnect…), work that the expression budget does not count, so the list's length is
// bounded by server.limits.loop_items.

// defaultLoopItems is server.limits.loop_items when the config leaves it out, for a Context
// that sets no LoopItems.
var defaultLoopItems = config.DefaultServer().Limits.LoopItems

// compileForEach compiles a step's for_each. A value that is the same for every event must be
// a list: anything else would fail the step on every event.
func compileForEach(n *config.Node, scopes tmpl.Scopes, errs *config.Errors) tmpl.Template {
	before := len(*errs)
	t := tmpl.Compile(n, scopes, errs)
	if len(*errs) > before || !t.Const() || n.Kind == config.ListNode {
		return t
	}
	fix := "write a YAML list, such as for_each: [lobby, news], or one ${{ }} that yields a list, such as for_each: ${{ data.items }}"
	if s, ok := n.Value.(string); ok && n.Kind == config.ScalarNode && s != "" {
		if strings.ContainsAny(s, ".()[") {
			fix = fmt.Sprintf("an expression goes inside ${{ }}: for_each: ${{ %s }}", s)
		} else {
			fix = fmt.Sprintf("for one item write a list, for_each: [%s]; for an expression, put it inside ${{ }}: for_each: ${{ %s }}", s, s)
		}
	}
	errs.Add(n.Pos, n.Path, "for_each needs a list, got %s; %s", n.Describe(), fix)
	return t
}

// runEach runs the step once per item of its for_each list.
func (st *Step) runEach(ctx *Context) error {
	v, err := st.ForEach.Eval(ctx.Env)
	if err != nil {
		return fmt.Errorf("for_each: %w", err)
	}
	items, err := loopItems(v)
	if err != nil {
		return fmt.Errorf("for_each: %w", err)
	}
	limit := ctx.LoopItems
	if limit <= 0 {
		limit = defaultLoopItems
	}
	if len(items) > limit {
		return fmt.Errorf("for_each: the list has %d items, more than the %d of server.limits.loop_items; raise the limit, or pass fewer items", len(items), limit)
	}
	env := ctx.Env
	item, index := env.Item, env.Index
	defer func() { env.Item, env.Index = item, index }() // an enclosing for_each's (on_ack in a loop)
	// An action that keeps its context (on_ack) reads it when the acknowledgement comes,
	// after later items ran: each item gets a context of its own.
	keeps := keepsContext(st.Action)
	for i, it := range items {
		run := ctx
		if keeps {
			e := *env
			c := *ctx
			c.Env = &e
			run = &c
		}
		run.Env.Item, run.Env.Index = it, i
		if st.When != nil {
			ok, err := st.When.Run(run.Env)
			if err != nil {
				return fmt.Errorf("item %d: when: %w", i, err)
			}
			if ok != true {
				continue
			}
		}
		err := st.Action.Run(run)
		if keeps {
			ctx.Acked = run.Acked
		}
		if err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
	}
	return nil
}

// loopItems reads a for_each value as its items: any list, but not binary data, an object or
// null, which are no list of items.
func loopItems(v any) ([]any, error) {
	switch l := v.(type) {
	case []any:
		return l, nil
	case nil, []byte, string, map[string]any:
		return nil, fmt.Errorf("expected a list, got %s", tmpl.Describe(v))
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, fmt.Errorf("expected a list, got %s", tmpl.Describe(v))
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, nil
}
