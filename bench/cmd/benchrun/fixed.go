package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ioroute/ioroute/bench/internal/chatload"
)

// drainBound is how soon after the last send a server must have delivered everything to
// count as sustaining a fixed rate: one that keeps up drains within its latency tail, one
// that falls behind builds a backlog that grows with the run (Node: tens of seconds).
const drainBound = time.Second

// drain is how long deliveries went on after the last send.
func drain(r chatload.Result) float64 { return r.DurationS - r.SendS }

// hmTarget is issue #20's bound on ioroute's p99 against the hand-made server's.
const hmTarget = 1.5

// fixedTable writes the fixed-rate scenarios against the hand-made server (rawws): each
// server's deliveries/s against the offered rate, its latency, and its p99 as a multiple of
// rawws's in the same run; then whether ioroute met issue #20's target. It writes nothing
// when no fixed-rate scenario ran.
func fixedTable(w io.Writer, chosen []scenario, servers []server, results map[string]map[string][]chatload.Result) {
	var fixed []scenario
	for _, sc := range chosen {
		if sc.offered > 0 {
			fixed = append(fixed, sc)
		}
	}
	if len(fixed) == 0 {
		return
	}
	rate := func(r chatload.Result) float64 { return r.DeliveriesPerS }
	p99 := func(r chatload.Result) float64 { return r.LatencyP99Ms }
	fmt.Fprintln(w, "| scenario | offered deliveries/s | server | deliveries/s | kept up (drained after the last send) | p50 ms | p99 ms | p99 ÷ rawws | busy: server / loadgen | lost / dup / out of order | ok runs |")
	fmt.Fprintln(w, "|---|--:|---|--:|:-:|--:|--:|--:|--:|--:|--:|")
	var verdicts []string
	for _, sc := range fixed {
		raw := medFixed(results[sc.name]["rawws"], p99)
		for _, s := range servers {
			runs := results[sc.name][s.name]
			if len(runs) == 0 {
				continue
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s | %s |\n",
				sc.name, thousands(sc.offered), s.name, thousands(medFixed(runs, rate)), keptUpCell(runs),
				ms(medFixed(runs, func(r chatload.Result) float64 { return r.LatencyP50Ms })), ms(medFixed(runs, p99)),
				share(medFixed(runs, p99), raw),
				pct(medFixed(runs, func(r chatload.Result) float64 { return r.ServerCPUUtil })),
				pct(medFixed(runs, func(r chatload.Result) float64 { return r.LoadgenCPUUtil })),
				integrity(runs), okRuns(runs))
		}
		if v := verdict(sc, results[sc.name]["ioroute"], results[sc.name]["rawws"]); v != "" {
			verdicts = append(verdicts, v)
		}
	}
	fmt.Fprintln(w)
	if len(verdicts) > 0 {
		fmt.Fprintf(w, "Issue #20's target, ioroute's p99 within %.1f× rawws's at every fixed rate ioroute sustains: %s.\n\n", hmTarget, strings.Join(verdicts, "; "))
	}
}

// medFixed is the median of f at a fixed rate, where a run that fell so far behind that it
// timed out or stalled still measured what the server delivered until then (so its
// deliveries/s and latency count); a run that failed otherwise does not.
func medFixed(runs []chatload.Result, f func(chatload.Result) float64) float64 {
	var kept []chatload.Result
	for _, r := range runs {
		if r.Error == "" || strings.HasPrefix(r.Error, "stalled") {
			r.Error, r.TimedOut = "", false
			kept = append(kept, r)
		}
	}
	return med(kept, f)
}

// verdict says whether ioroute met the target in one scenario, or why it does not apply.
func verdict(sc scenario, io, raw []chatload.Result) string {
	if len(io) == 0 || len(raw) == 0 {
		return ""
	}
	p99 := func(r chatload.Result) float64 { return r.LatencyP99Ms }
	ratio := share(medFixed(io, p99), medFixed(raw, p99))
	switch {
	case medFixed(io, drain) > drainBound.Seconds():
		return fmt.Sprintf("%s not sustained by ioroute (deliveries went on %.1f s after the last send)", sc.name, medFixed(io, drain))
	case ratio == "—":
		return sc.name + " not measured"
	case medFixed(io, p99) <= hmTarget*medFixed(raw, p99):
		return fmt.Sprintf("%s met (%s)", sc.name, ratio)
	default:
		return fmt.Sprintf("%s missed (%s)", sc.name, ratio)
	}
}

// keptUpCell says whether the server drained within drainBound of the last send (median),
// how long it took, and how many runs gave up waiting for it.
func keptUpCell(runs []chatload.Result) string {
	d := medFixed(runs, drain)
	s := fmt.Sprintf("no (+%.1f s)", d)
	if d <= drainBound.Seconds() {
		s = fmt.Sprintf("yes (+%.2f s)", d)
	}
	late := 0
	for _, r := range runs {
		if r.TimedOut || strings.HasPrefix(r.Error, "stalled") {
			late++
		}
	}
	if late > 0 {
		s += fmt.Sprintf(" (%d of %d runs ended at the deadline)", late, len(runs))
	}
	return s
}
