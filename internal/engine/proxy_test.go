package engine

import (
	"net/netip"
	"testing"
)

func TestClientAddress(t *testing.T) {
	lb := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for _, tt := range []struct {
		name    string
		peer    string
		xff     []string
		trusted []netip.Prefix
		want    string
	}{
		{"no trust: the peer", "10.1.1.1:5000", []string{"203.0.113.9"}, nil, "10.1.1.1"},
		{"no header", "10.1.1.1:5000", nil, lb, "10.1.1.1"},
		{"untrusted peer's header is ignored", "198.51.100.7:5000", []string{"203.0.113.9"}, lb, "198.51.100.7"},
		{"trusted proxy", "10.1.1.1:5000", []string{"203.0.113.9"}, lb, "203.0.113.9"},
		{"client's own claim left of it is ignored", "10.1.1.1:5000", []string{"1.2.3.4, 203.0.113.9"}, lb, "203.0.113.9"},
		{"chain of trusted proxies", "10.1.1.1:5000", []string{"203.0.113.9, 10.2.2.2", "10.3.3.3"}, lb, "203.0.113.9"},
		{"all hops trusted: the leftmost", "10.1.1.1:5000", []string{"10.9.9.9, 10.2.2.2"}, lb, "10.9.9.9"},
		{"garbage hop stops trust", "10.1.1.1:5000", []string{"203.0.113.9, bogus"}, lb, "10.1.1.1"},
		{"hop with port", "10.1.1.1:5000", []string{"203.0.113.9:4711"}, lb, "203.0.113.9"},
		{"IPv6 peer and client", "[::1]:5000", []string{"2001:db8::5"}, lb, "2001:db8::5"},
		{"IPv4-mapped client", "10.1.1.1:5000", []string{"::ffff:203.0.113.9"}, lb, "203.0.113.9"},
		{"bare peer", "10.1.1.1", []string{"203.0.113.9"}, lb, "203.0.113.9"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := ClientAddress(tt.peer, tt.xff, tt.trusted); got != tt.want {
				t.Errorf("ClientAddress(%q, %q) = %q, want %q", tt.peer, tt.xff, got, tt.want)
			}
		})
	}
}
