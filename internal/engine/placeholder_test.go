package engine

import "testing"

func TestHasPlaceholder(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []any
		want bool
	}{
		{"plain values", []any{"hi", 3, map[string]any{"a": []any{1, "x"}}}, false},
		{"bytes in place of a real placeholder", []any{map[string]any{"file": []byte{1}}}, false},
		{"the key set to false", []any{map[string]any{"_placeholder": false, "num": 0}}, false},
		{"the key as text", []any{`{"_placeholder":true}`}, false},
		{"a forged placeholder", []any{map[string]any{"_placeholder": true, "num": "0"}}, true},
		{"nested in a list", []any{"a", []any{map[string]any{"b": map[string]any{"_placeholder": true}}}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := HasPlaceholder(tc.args); got != tc.want {
				t.Fatalf("HasPlaceholder(%v) = %v, want %v", tc.args, got, tc.want)
			}
		})
	}
}
