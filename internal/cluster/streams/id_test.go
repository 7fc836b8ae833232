package streams

import "testing"

func TestStreamIDs(t *testing.T) {
	tests := []struct {
		in, next string
		ok       bool
	}{
		{"1796012380443-0", "1796012380443-1", true},
		{"0-0", "0-1", true},
		{"5-18446744073709551615", "6-0", true},
		{"1", "", false},
		{"1-", "", false},
		{"-1", "", false},
		{"a-1", "", false},
		{"1-2-3", "", false},
		{"+1-2", "", false},
		{"99999999999999999999-0", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			id, ok := parseID(tt.in)
			if ok != tt.ok {
				t.Fatalf("parseID ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if id.String() != tt.in || id.next() != tt.next {
				t.Fatalf("String %q next %q, want %q %q", id.String(), id.next(), tt.in, tt.next)
			}
			if n, _ := parseID(id.next()); !n.after(id) || id.after(n) || id.after(id) {
				t.Fatalf("order of %v and %v", id, n)
			}
		})
	}
}
