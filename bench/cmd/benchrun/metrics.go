package main

import (
	"fmt"
	"io"

	"github.com/ioroute/ioroute/bench/internal/chatload"
)

// metricsTable compares ioroute counting Prometheus metrics (ioroute-metrics) with ioroute
// without, scenario by scenario: what counting costs. It writes nothing unless both ran.
func metricsTable(w io.Writer, chosen []scenario, results map[string]map[string][]chatload.Result) {
	header := false
	for _, sc := range chosen {
		if sc.idle {
			continue
		}
		on, off := results[sc.name]["ioroute-metrics"], results[sc.name]["ioroute"]
		if len(on) == 0 || len(off) == 0 {
			continue
		}
		if !header {
			fmt.Fprintln(w, "| scenario | deliveries/s: metrics on / off (ratio) | p99 ms: on / off | server CPU µs per delivery: on / off (ratio) |")
			fmt.Fprintln(w, "|---|--:|--:|--:|")
			header = true
		}
		rate := func(r chatload.Result) float64 { return r.DeliveriesPerS }
		p99 := func(r chatload.Result) float64 { return r.LatencyP99Ms }
		perDelivery := func(r chatload.Result) float64 {
			if r.Received == 0 {
				return 0
			}
			return r.ServerCPUS * 1e6 / float64(r.Received)
		}
		fmt.Fprintf(w, "| %s | %s / %s (%s) | %s / %s | %.2f / %.2f (%s) |\n", sc.name,
			thousands(med(on, rate)), thousands(med(off, rate)), share(med(on, rate), med(off, rate)),
			ms(med(on, p99)), ms(med(off, p99)),
			med(on, perDelivery), med(off, perDelivery), share(med(on, perDelivery), med(off, perDelivery)))
	}
	if header {
		fmt.Fprintln(w)
	}
}
