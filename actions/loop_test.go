package actions

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ioroute/ioroute/internal/tmpl"
)

// TestForEachRunsPerItem: the step runs once per item, with item and index, and its when is
// evaluated per item; afterwards item and index read as before the loop.
func TestForEachRunsPerItem(t *testing.T) {
	steps := compileTest(t, tmpl.EventScope, `[{emit: {event: e, data: "${{ [index, item] }}"}, for_each: "${{ data }}", when: "item != 'skip'"}]`)
	ctx, conn := testContext([]any{"a", "skip", "c"})
	if err := steps.Run(ctx); err != nil {
		t.Fatal(err)
	}
	var got []any
	for _, m := range conn.emitted {
		got = append(got, m.Args[0])
	}
	want := []any{[]any{0, "a"}, []any{2, "c"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("emitted %v, want %v", got, want)
	}
	if ctx.Env.Item != nil || ctx.Env.Index != 0 {
		t.Fatalf("after the loop item = %v, index = %d", ctx.Env.Item, ctx.Env.Index)
	}
}

// TestForEachLiteralList: a YAML list is the same for every event.
func TestForEachLiteralList(t *testing.T) {
	steps := compileTest(t, tmpl.EventScope, `[{close_room: "${{ item }}", for_each: [lobby, news]}]`)
	ctx, conn := testContext(nil)
	if err := steps.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"lobby"}, {"news"}}; !reflect.DeepEqual(conn.closed, want) {
		t.Fatalf("closed %v, want %v", conn.closed, want)
	}
}

// TestForEachFailures: what is not a list, and a list past loop_items, fail the step with
// messages that say which item or which setting.
func TestForEachFailures(t *testing.T) {
	tests := []struct {
		name  string
		data  any
		limit int
		want  string
	}{
		{"null", nil, 0, "for_each: expected a list, got null"},
		{"an object", map[string]any{"a": 1.0}, 0, `for_each: expected a list, got an object {"a":1}`},
		{"binary", []byte("hi"), 0, "for_each: expected a list, got a binary"},
		{"past loop_items", []any{1.0, 2.0, 3.0}, 2, "for_each: the list has 3 items, more than the 2 of server.limits.loop_items"},
		{"an item that fails", []any{"a", 1.0}, 0, "item 1: room: expected a room name"},
	}
	steps := compileTest(t, tmpl.EventScope, `[{join_room: "${{ item == 1 ? {} : item }}", for_each: "${{ data }}"}]`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, _ := testContext(tt.data)
			ctx.LoopItems = tt.limit
			err := steps.Run(ctx)
			var se *StepError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a StepError with %q", err, tt.want)
			}
		})
	}
}

// TestForEachDefaultLimit: a context without LoopItems gets the setting's default.
func TestForEachDefaultLimit(t *testing.T) {
	steps := compileTest(t, tmpl.EventScope, `[{print: hi, for_each: "${{ 1..data }}"}]`)
	ctx, _ := testContext(float64(defaultLoopItems))
	if err := steps.Run(ctx); err != nil {
		t.Fatalf("%d items: %v", defaultLoopItems, err)
	}
	ctx, _ = testContext(float64(defaultLoopItems + 1))
	if err := steps.Run(ctx); err == nil || !strings.Contains(err.Error(), "server.limits.loop_items") {
		t.Fatalf("%d items: %v", defaultLoopItems+1, err)
	}
}

// TestForEachOnAckKeepsItsItem: an on_ack of a looped emission reads the item it was emitted
// for, when the acknowledgement comes after the loop.
func TestForEachOnAckKeepsItsItem(t *testing.T) {
	steps := compileTest(t, tmpl.EventScope, `[{emit: {event: q, to: "${{ item }}", timeout: 1s, on_ack: [print: "${{ item }}/${{ index }}"]}, for_each: [s2, s3]}]`)
	if !steps.KeepsContext() {
		t.Fatal("a looped on_ack does not keep its context")
	}
	ctx, conn := testContext(nil)
	var printed []string
	ctx.Print = func(s string) { printed = append(printed, s) }
	if err := steps.Run(ctx); err != nil {
		t.Fatal(err)
	}
	for _, cb := range conn.acks {
		cb([]any{"ok"}, nil)
	}
	if want := []string{"s2/0", "s3/1"}; !reflect.DeepEqual(printed, want) {
		t.Fatalf("on_ack printed %v, want %v", printed, want)
	}
}
