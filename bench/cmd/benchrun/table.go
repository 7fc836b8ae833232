package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ioroute/ioroute/bench/internal/chatload"
)

// table writes the Markdown tables: one for the message scenarios, one for idle connections.
// Each figure is the median over the repetitions; "×Node" is the ratio to Node's median in
// the same scenario of the same run.
func table(w io.Writer, chosen []scenario, servers []server, results map[string]map[string][]chatload.Result) {
	var msgs, idle []scenario
	for _, sc := range chosen {
		if sc.idle {
			idle = append(idle, sc)
		} else {
			msgs = append(msgs, sc)
		}
	}
	if len(msgs) > 0 {
		fmt.Fprintln(w, "| scenario | server | deliveries/s (×Node) | p50 ms | p99 ms (×Node) | server CPU s (×Node) | busy: server / loadgen | peak RSS MiB (×Node) | lost / dup / out of order | ok runs |")
		fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
		for _, sc := range msgs {
			node := results[sc.name]["node"]
			for _, s := range servers {
				runs := results[sc.name][s.name]
				if len(runs) == 0 {
					continue
				}
				rate := med(runs, func(r chatload.Result) float64 { return r.DeliveriesPerS })
				p99 := med(runs, func(r chatload.Result) float64 { return r.LatencyP99Ms })
				cpu := med(runs, func(r chatload.Result) float64 { return r.ServerCPUS })
				rss := med(runs, func(r chatload.Result) float64 { return r.ServerRSSPeakMB })
				fmt.Fprintf(w, "| %s | %s | %s (%s) | %s | %s (%s) | %.2f (%s) | %s / %s | %.0f (%s) | %s | %s |\n",
					sc.name, s.name,
					thousands(rate), ratio(rate, node, func(r chatload.Result) float64 { return r.DeliveriesPerS }),
					ms(med(runs, func(r chatload.Result) float64 { return r.LatencyP50Ms })),
					ms(p99), ratio(p99, node, func(r chatload.Result) float64 { return r.LatencyP99Ms }),
					cpu, ratio(cpu, node, func(r chatload.Result) float64 { return r.ServerCPUS }),
					pct(med(runs, func(r chatload.Result) float64 { return r.ServerCPUUtil })),
					pct(med(runs, func(r chatload.Result) float64 { return r.LoadgenCPUUtil })),
					rss, ratio(rss, node, func(r chatload.Result) float64 { return r.ServerRSSPeakMB }),
					integrity(runs), okRuns(runs))
			}
		}
		fmt.Fprintln(w)
	}
	if len(idle) > 0 {
		fmt.Fprintln(w, "| scenario | server | connect s | RSS before MiB | RSS idle MiB | MiB per 1k connections (×Node) | peak RSS MiB (×Node) | then one broadcast: lost / dup | ok runs |")
		fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|")
		for _, sc := range idle {
			node := results[sc.name]["node"]
			for _, s := range servers {
				runs := results[sc.name][s.name]
				if len(runs) == 0 {
					continue
				}
				per1k := med(runs, func(r chatload.Result) float64 { return r.RSSPer1kMB })
				peak := med(runs, func(r chatload.Result) float64 { return r.ServerRSSPeakMB })
				var lost, dup int64
				for _, r := range runs {
					lost += r.Lost
					dup += r.Duplicates
				}
				fmt.Fprintf(w, "| %s | %s | %.2f | %.0f | %.0f | %.1f (%s) | %.0f (%s) | %d / %d | %s |\n",
					sc.name, s.name,
					med(runs, func(r chatload.Result) float64 { return r.ConnectS }),
					med(runs, func(r chatload.Result) float64 { return r.IdleRSSBaseMB }),
					med(runs, func(r chatload.Result) float64 { return r.IdleRSSMB }),
					per1k, ratio(per1k, node, func(r chatload.Result) float64 { return r.RSSPer1kMB }),
					peak, ratio(peak, node, func(r chatload.Result) float64 { return r.ServerRSSPeakMB }),
					lost, dup, okRuns(runs))
			}
		}
		fmt.Fprintln(w)
	}
}

// med is the median of f over the runs that completed (no error, no timeout): a run that
// failed measured only part of the work. Such runs still count in integrity and ok runs.
func med(runs []chatload.Result, f func(chatload.Result) float64) float64 {
	var v []float64
	for _, r := range runs {
		if r.Error == "" && !r.TimedOut {
			v = append(v, f(r))
		}
	}
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// ratio is x against Node's median of the same figure.
func ratio(x float64, node []chatload.Result, f func(chatload.Result) float64) string {
	n := med(node, f)
	if n == 0 || x == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", x/n)
}

func integrity(runs []chatload.Result) string {
	var lost, dup, order int64
	for _, r := range runs {
		lost += r.Lost
		dup += r.Duplicates
		order += r.OrderViolations
	}
	return fmt.Sprintf("%d / %d / %d", lost, dup, order)
}

func okRuns(runs []chatload.Result) string {
	ok := 0
	for _, r := range runs {
		if r.OK {
			ok++
		}
	}
	return fmt.Sprintf("%d/%d", ok, len(runs))
}

func pct(f float64) string { return fmt.Sprintf("%.0f%%", f*100) }

func ms(f float64) string {
	switch {
	case f >= 100:
		return thousands(f)
	case f >= 10:
		return fmt.Sprintf("%.1f", f)
	default:
		return fmt.Sprintf("%.2f", f)
	}
}

// thousands renders f rounded, with thin separators: 43,674.
func thousands(f float64) string {
	s := fmt.Sprintf("%.0f", f)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
