// Package metrics holds ioroute's Prometheus series and serves them. It knows nothing of
// Socket.IO's engine: the router tells it what happened (through pre-resolved children, see
// Namespace and Event) and hands it functions to read what is counted elsewhere (connected
// sockets, the cluster's counts) at scrape time.
//
// Label values never come from clients: namespaces are declared in the config, event names
// outside the config's are counted under "*", and disconnect reasons outside the engine's are
// "other", so a client cannot create series.
package metrics

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Options are what the metrics read at scrape time.
type Options struct {
	// Connected returns the sockets connected now, by namespace.
	Connected func() map[string]int
	// Cluster, when set, returns the cluster's counts (ioroute_cluster_*).
	Cluster func() ClusterStats
}

// ClusterStats are the counts of a node's cluster adapter.
type ClusterStats struct {
	Published, Received, Dropped uint64
	// Up is true while Redis answers.
	Up bool
}

// Metrics holds the series of one router, in a registry of their own (with Go's runtime and
// process collectors).
type Metrics struct {
	Registry *prometheus.Registry

	connections    *prometheus.CounterVec
	disconnections *prometheus.CounterVec
	received       *prometheus.CounterVec
	sent           *prometheus.CounterVec
	handlerErrors  *prometheus.CounterVec
	dropped        *prometheus.CounterVec
	duration       *prometheus.HistogramVec
	reloads        *prometheus.CounterVec
	configInfo     *prometheus.GaugeVec
	bytesIn        prometheus.Counter
	bytesOut       prometheus.Counter

	// names is what Declare made of the current config; swapped whole on reload.
	names     atomic.Pointer[names]
	declareMu sync.Mutex
}

// New makes the series and registers them with the collectors of o.
func New(o Options) *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
		m.Registry.MustRegister(v)
		return v
	}
	m.connections = counter("socketio_connections_total", "Sockets that connected, by namespace.", "namespace")
	m.disconnections = counter("socketio_disconnections_total", "Sockets that disconnected, by namespace and reason.", "namespace", "reason")
	m.received = counter("socketio_events_received_total", "Events received from clients; event is \"*\" for names the config does not declare.", "namespace", "event")
	m.sent = counter("socketio_events_sent_total", "Events delivered to clients, one per recipient; event is \"*\" for names the config does not declare.", "namespace", "event")
	m.handlerErrors = counter("ioroute_handler_errors_total", "Handler runs that failed (a step's error or a panic), by namespace and handler.", "namespace", "handler")
	m.dropped = counter("ioroute_events_dropped_total", "Events dropped by a limit: rate_limit, flood, payload_size or pending.", "namespace", "reason")
	m.reloads = counter("ioroute_reloads_total", "Config reloads, by result (ok or error).", "result")
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "ioroute_handler_duration_seconds", Help: "Time one handler run takes, by namespace.",
		Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"namespace"})
	m.configInfo = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ioroute_config_info", Help: "The config serving: its file and the SHA-256 of its content (always 1)."}, []string{"file", "sha256"})
	m.bytesIn = prometheus.NewCounter(prometheus.CounterOpts{Name: "socketio_bytes_received_total", Help: "Bytes of the Socket.IO packets received from clients."})
	m.bytesOut = prometheus.NewCounter(prometheus.CounterOpts{Name: "socketio_bytes_sent_total", Help: "Bytes of the Socket.IO packets sent to clients, counted per recipient."})
	m.Registry.MustRegister(m.duration, m.configInfo, m.bytesIn, m.bytesOut,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, r := range []string{"ok", "error"} {
		m.reloads.WithLabelValues(r) // both results show from the start, at 0
	}
	if o.Connected != nil {
		m.Registry.MustRegister(connectedCollector{o.Connected})
	}
	if o.Cluster != nil {
		registerCluster(m.Registry, o.Cluster)
	}
	m.names.Store(&names{index: map[string]int{}, nss: map[string]*Namespace{}})
	return m
}

// BytesReceived counts n bytes received.
func (m *Metrics) BytesReceived(n int) { m.bytesIn.Add(float64(n)) }

// BytesSent counts n bytes sent.
func (m *Metrics) BytesSent(n int) { m.bytesOut.Add(float64(n)) }

// Reloaded counts one reload; ok is false for one that failed.
func (m *Metrics) Reloaded(ok bool) {
	if ok {
		m.reloads.WithLabelValues("ok").Inc()
	} else {
		m.reloads.WithLabelValues("error").Inc()
	}
}

// ConfigLoaded records the config now serving: file's name and content.
func (m *Metrics) ConfigLoaded(file string, content []byte) {
	sum := sha256.Sum256(content)
	m.configInfo.Reset()
	m.configInfo.WithLabelValues(file, hex.EncodeToString(sum[:])).Set(1)
}

// disconnectReasons are the reasons the engine gives (Node's names); any other is "other".
var disconnectReasons = map[string]bool{
	"transport close": true, "transport error": true, "ping timeout": true, "parse error": true,
	"forced close": true, "forced server close": true, "server shutting down": true,
	"client namespace disconnect": true, "server namespace disconnect": true,
}

// Disconnected counts one socket of namespace ns leaving for reason.
func (m *Metrics) Disconnected(ns, reason string) {
	if !disconnectReasons[reason] {
		reason = "other"
	}
	m.disconnections.WithLabelValues(m.Namespace(ns).name, reason).Inc()
}

// HandlerFailed counts one failed run of handler (an event name the config declares, or
// connect or disconnect) of namespace ns.
func (m *Metrics) HandlerFailed(ns, handler string) {
	m.handlerErrors.WithLabelValues(m.Namespace(ns).name, handler).Inc()
}
