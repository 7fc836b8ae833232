package engine

import (
	"fmt"
	"net"
	"strings"

	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/internal/tmpl"
)

// Handshake describes h as Node's socket.handshake does, wherever ioroute describes a socket
// (expressions, the cluster's fetchSockets answers): header names lower-cased, one value per
// query parameter and header (the first), the address without its port. The engine keeps the
// lists it parsed and the address with its port.
func Handshake(h *sio.Handshake) tmpl.Handshake {
	hs := tmpl.Handshake{Auth: map[string]any{}, Query: make(map[string]any, len(h.Query)),
		Headers: make(map[string]any, len(h.Headers)), Address: hostOnly(h.Address),
		Time: h.Time, Xdomain: h.Xdomain, Secure: h.Secure, Issued: h.Issued, URL: h.Url}
	if h.Auth != nil {
		hs.Auth = h.Auth
	}
	for k, v := range h.Query {
		hs.Query[k] = First(v)
	}
	for k, v := range h.Headers {
		hs.Headers[strings.ToLower(k)] = First(v)
	}
	return hs
}

// HandshakeMap is Handshake as the map the adapters exchange.
func HandshakeMap(h *sio.Handshake) map[string]any {
	hs := Handshake(h)
	return map[string]any{"headers": hs.Headers, "time": hs.Time, "address": hs.Address,
		"xdomain": hs.Xdomain, "secure": hs.Secure, "issued": hs.Issued, "url": hs.URL,
		"query": hs.Query, "auth": hs.Auth}
}

// hostOnly is addr without its port.
func hostOnly(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// First is the first of the values the engine parsed for one query parameter or header.
func First(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []string:
		if len(x) > 0 {
			return x[0]
		}
	case []any:
		if len(x) > 0 {
			return fmt.Sprint(x[0])
		}
	}
	return ""
}
