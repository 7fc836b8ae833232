package config

import (
	"net/netip"
	"strings"
)

// Metrics is where Prometheus metrics are served; nil when server.metrics is not written.
type Metrics struct {
	// Listen is the metrics listener's address, host:port.
	Listen string
}

// DefaultMetricsListen is the Default of server.metrics.listen, named for the command line's
// --metrics-listen, which turns metrics on without a written server.metrics.
const DefaultMetricsListen = "127.0.0.1:9464"

// metricsFields declares the keys of server.metrics.
var metricsFields = []Field{
	{Name: "listen", Type: String, Default: DefaultMetricsListen, Doc: "Address of the metrics listener, host:port; loopback unless you name another address. " +
		"A listener that cannot bind stops the start."},
}

// opsFields declares the server settings for operating ioroute: the client bundle, metrics,
// the client address behind a proxy, and the drain before a shutdown. ServerFields holds them.
var opsFields = []Field{
	{Name: "serve_client", Type: Bool, Default: true, Doc: "Serve socket.io-client (socket.io.js, socket.io.min.js, socket.io.esm.min.js and their .map files) under server.path, " +
		"such as /socket.io/socket.io.min.js, as Node's serveClient does; false answers 404 there."},
	{Name: "metrics", Type: Object, Fields: metricsFields, Restart: true, Doc: "Serve Prometheus metrics at /metrics on a listener of their own. Without it, no metrics listener " +
		"(ioroute run --metrics-listen ADDR turns it on too).", Example: "metrics: { listen: \"127.0.0.1:9464\" }"},
	{Name: "trust_proxy", Type: StringList, Doc: "Proxies (CIDRs such as \"10.0.0.0/8\", or single addresses) whose X-Forwarded-For names the client: " +
		"socket.handshake.address and the connection log use it for connections from them. Without it the address is the TCP peer's.",
		Example: "trust_proxy: [\"10.0.0.0/8\", \"127.0.0.1\"]"},
	{Name: "shutdown_drain", Type: Duration, Default: "5s", Doc: "On shutdown, how long /readyz answers 503 while everything else goes on serving, before clients are disconnected, " +
		"so a load balancer stops sending new clients first. Skipped when nothing asked /readyz since the start (no balancer watches it)."},
}

// decodeOps reads one of opsFields' keys into s; it reports false for any other key.
func decodeOps(key string, v *Node, s *Server, errs *Errors) bool {
	switch key {
	case "serve_client":
		s.ServeClient = v.Value.(bool)
	case "metrics":
		s.Metrics = &Metrics{}
		for _, e := range withDefaults(v, metricsFields) {
			if e.Key == "listen" {
				s.Metrics.Listen = e.Value.Text
				if e.Value.Text == "" {
					errs.Add(e.Value.Pos, e.Value.Path, "must not be empty; write host:port, such as %q", DefaultMetricsListen)
				}
			}
		}
	case "trust_proxy":
		s.TrustProxy = []netip.Prefix{}
		for _, it := range v.Items {
			p, ok := ParseTrusted(it.Text)
			if !ok {
				errs.Add(it.Pos, it.Path, "%q is not an address or a CIDR; write one such as \"10.0.0.0/8\" or \"127.0.0.1\"", it.Text)
				continue
			}
			s.TrustProxy = append(s.TrustProxy, p)
		}
	case "shutdown_drain":
		s.ShutdownDrain = v.Duration()
	default:
		return false
	}
	return true
}

// ParseTrusted reads one trust_proxy entry: a CIDR, or one address (a prefix of its full
// length).
func ParseTrusted(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}
