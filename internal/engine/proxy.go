package engine

import (
	"net"
	"net/netip"
	"strings"
)

// ClientAddress is the address of the client behind peer (the TCP peer, host:port or a bare
// IP), as X-Forwarded-For tells it when peer is a trusted proxy. Each proxy appends the
// address it got the request from, so the header is read from the right: the first address
// that is not trusted is the client, and anything left of it is the client's own claim, which
// is ignored. With no trusted proxy, an untrusted peer, or no usable header, it is peer's
// host. xff holds the header's values in order (a request may carry several).
func ClientAddress(peer string, xff []string, trusted []netip.Prefix) string {
	host := Host(peer)
	if len(trusted) == 0 || len(xff) == 0 {
		return host
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(addr, trusted) {
		return host
	}
	var hops []string
	for _, v := range xff {
		for h := range strings.SplitSeq(v, ",") {
			hops = append(hops, strings.TrimSpace(h))
		}
	}
	client := host
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(Host(hops[i]))
		if err != nil {
			return client // a hop that is not an address: trust stops there
		}
		client = a.Unmap().String()
		if !isTrusted(a, trusted) {
			return client
		}
	}
	return client // every hop is a trusted proxy: the leftmost is as far as the chain goes
}

// isTrusted tells whether a is in one of the trusted prefixes.
func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Host is addr without its port; addr may be host:port, [v6]:port or a bare address.
func Host(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
}
