package router

import (
	"sync/atomic"

	"github.com/ioroute/ioroute/internal/metrics"
)

// ops is what the router keeps for its operators: metrics, readiness and the connection log.
type ops struct {
	// metrics is nil when no metrics listener was asked for: then nothing is counted.
	metrics   *metrics.Metrics
	metricsLn *metrics.Listener
	// metricsListen is where the metrics listener binds at Start ("" for none).
	metricsListen string
	// draining is set once a shutdown began: /readyz answers 503 from then on.
	draining atomic.Bool
	// readyAsked is set by the first /readyz request: someone watches readiness, so a
	// shutdown drains (server.shutdown_drain) before disconnecting clients.
	readyAsked atomic.Bool
	// connLog writes the connection and disconnection lines, sampled; endLog the lines of
	// sockets the server disconnected, sampled apart.
	connLog, endLog *sampler
}
