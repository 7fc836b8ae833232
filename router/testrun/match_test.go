package testrun

import (
	"strings"
	"testing"
)

func TestContains(t *testing.T) {
	for _, tc := range []struct {
		name      string
		want, got any
		ok        bool
	}{
		{"equal scalars", 1, 1.0, true},
		{"other scalars", 1, 2.0, false},
		{"substring", "joined", "ann joined lobby", true},
		{"not a substring", "left", "ann joined", false},
		{"subset of keys", map[string]any{"a": 1}, map[string]any{"a": 1.0, "b": "x"}, true},
		{"missing key", map[string]any{"c": 1}, map[string]any{"a": 1.0}, false},
		{"nested", map[string]any{"u": map[string]any{"n": "an"}}, map[string]any{"u": map[string]any{"n": "ann", "id": 3.0}}, true},
		{"list items in any order", []any{"b", map[string]any{"n": "a"}}, []any{map[string]any{"n": "a", "x": 1.0}, "bb"}, true},
		{"list item missing", []any{"c"}, []any{"a", "b"}, false},
		{"mapping against a list", map[string]any{"a": 1}, []any{1}, false},
		{"binary", []byte("i"), []byte("hi"), true},
		{"null", nil, nil, true},
	} {
		if got := contains(tc.want, tc.got); got != tc.ok {
			t.Errorf("%s: contains(%v, %v) = %v", tc.name, tc.want, tc.got, got)
		}
	}
}

func TestEqual(t *testing.T) {
	for _, tc := range []struct {
		name      string
		want, got any
		ok        bool
	}{
		{"YAML int and JSON number", map[string]any{"n": 1}, map[string]any{"n": 1.0}, true},
		{"extra key", map[string]any{"n": 1}, map[string]any{"n": 1.0, "m": 2.0}, false},
		{"list order matters", []any{1, 2}, []any{2.0, 1.0}, false},
		{"string and number", "1", 1.0, false},
	} {
		if got := equal(tc.want, tc.got); got != tc.ok {
			t.Errorf("%s: equal(%v, %v) = %v", tc.name, tc.want, tc.got, got)
		}
	}
}

func TestDiff(t *testing.T) {
	if got := diff("a", "b"); got != "- expected: \"a\"\n+ arrived:  \"b\"" {
		t.Errorf("one-line diff:\n%s", got)
	}
	got := diff(map[string]any{"a": 1, "b": 2}, map[string]any{"a": 1, "b": 3})
	want := "--- expected\n+++ arrived\n  {\n    \"a\": 1,\n-   \"b\": 2\n+   \"b\": 3\n  }"
	if got != want {
		t.Errorf("diff:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(diff([]byte("hi"), "hi"), "!!binary aGk=") {
		t.Error("binary data is not shown as !!binary")
	}
}
