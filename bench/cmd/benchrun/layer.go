package main

import (
	"fmt"
	"io"

	"github.com/ioroute/ioroute/bench/internal/chatload"
)

// layerTable compares ioroute with the hand-written chat on the same engine write path
// (handtuned), scenario by scenario: what ioroute's config layer costs. Deliveries/s is the
// ratio of medians; CPU per delivery is each server's median CPU time over its deliveries.
// It writes nothing unless both servers ran.
func layerTable(w io.Writer, chosen []scenario, results map[string]map[string][]chatload.Result) {
	header := false
	for _, sc := range chosen {
		if sc.idle {
			continue
		}
		io, hand := results[sc.name]["ioroute"], results[sc.name]["handtuned"]
		if len(io) == 0 || len(hand) == 0 {
			continue
		}
		if !header {
			fmt.Fprintln(w, "| scenario | ioroute ÷ handtuned deliveries/s | server CPU µs per delivery: ioroute / handtuned |")
			fmt.Fprintln(w, "|---|--:|--:|")
			header = true
		}
		rate := func(r chatload.Result) float64 { return r.DeliveriesPerS }
		perDelivery := func(r chatload.Result) float64 {
			if r.Received == 0 {
				return 0
			}
			return r.ServerCPUS * 1e6 / float64(r.Received)
		}
		fmt.Fprintf(w, "| %s | %s | %.2f / %.2f |\n", sc.name, share(med(io, rate), med(hand, rate)),
			med(io, perDelivery), med(hand, perDelivery))
	}
	if header {
		fmt.Fprintln(w)
	}
}

// share is a / b as a ratio, or a dash when either is missing.
func share(a, b float64) string {
	if a == 0 || b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", a/b)
}
