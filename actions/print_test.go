package actions

import "testing"

func TestEscapeControl(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text, ünïcode ✓", "plain text, ünïcode ✓"},
		{"two\nlines", `two\nlines`},
		{"fake\r\n2026-01-01 ERROR admin logged in", `fake\r\n2026-01-01 ERROR admin logged in`},
		{"\x1b[2J\x1b[31mred", `\x1b[2J\x1b[31mred`},
		{"bell\a and nul\x00", `bell\a and nul\x00`},
		{"line\u2028separator", `line\u2028separator`},
		{"bad \xff byte", "bad \ufffd byte"},
	}
	for _, tt := range tests {
		if got := escapeControl(tt.in); got != tt.want {
			t.Errorf("escapeControl(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
