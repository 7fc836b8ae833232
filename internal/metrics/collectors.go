package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

var connectedDesc = prometheus.NewDesc("socketio_connected", "Sockets connected now, by namespace.", []string{"namespace"}, nil)

// connectedCollector reads the sockets connected when scraped, from the engine's namespaces:
// a gauge moved by connects and disconnects would drift from them whenever one is missed.
type connectedCollector struct{ read func() map[string]int }

func (c connectedCollector) Describe(ch chan<- *prometheus.Desc) { ch <- connectedDesc }

func (c connectedCollector) Collect(ch chan<- prometheus.Metric) {
	for ns, n := range c.read() {
		ch <- prometheus.MustNewConstMetric(connectedDesc, prometheus.GaugeValue, float64(n), ns)
	}
}

// registerCluster registers the cluster's series, read from stats when scraped.
func registerCluster(reg *prometheus.Registry, stats func() ClusterStats) {
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "ioroute_cluster_published_total", Help: "Messages published to Redis for the other nodes."},
			func() float64 { return float64(stats().Published) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "ioroute_cluster_received_total", Help: "Messages received from Redis (other nodes' broadcasts, requests and answers)."},
			func() float64 { return float64(stats().Received) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "ioroute_cluster_dropped_total", Help: "Messages for other nodes dropped: Redis away or not keeping up."},
			func() float64 { return float64(stats().Dropped) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ioroute_cluster_redis_up", Help: "1 while Redis answers, else 0."},
			func() float64 {
				if stats().Up {
					return 1
				}
				return 0
			}),
	)
}
