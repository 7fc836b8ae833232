package main

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"time"

	"github.com/ioroute/ioroute/bench/internal/procfs"

	"github.com/ioroute/ioroute/bench/internal/chatload"
)

// The chart is SVG written by hand: grouped bars need a few rectangles and lines, and
// writing them keeps `make bench` free of plotting tools. Each bar carries its series and
// group as data- attributes and a <title> with the exact figure (a tooltip in browsers).

// panel is one bar chart of the figure: groups (scenarios) along x, one bar per series
// (server) in each group.
type panel struct {
	id, title string
	log       bool
	groups    []string
	series    []string
	value     func(group, series string) float64 // 0: no bar
	ref       func(group string) float64         // a dashed line across the group (offered rate); 0: none
	label     func(float64) string
}

const (
	chartW     = 960
	plotLeft   = 80
	plotRight  = chartW - 20
	plotH      = 200
	panelH     = plotH + 80 // title above, group labels below
	chartTop   = 64         // title and legend
	barSpacing = 0.8        // share of a group's width its bars take
)

// seriesColor gives each server the same colour in every chart; others are grey.
var seriesColor = map[string]string{
	"ioroute": "#1f77b4", "ioroute-metrics": "#9ecae1", "handtuned": "#2ca02c",
	"handwritten": "#98df8a", "rawws": "#ff7f0e", "node": "#d62728",
}

func colorOf(series string) string {
	if c, ok := seriesColor[series]; ok {
		return c
	}
	return "#7f7f7f"
}

// chartTitle names the run the chart shows.
func chartTitle(started time.Time, reps int) string {
	return fmt.Sprintf("make bench, %s, medians of %d repetitions (load average %s)", started.Format("2006-01-02 15:04"), reps, procfs.LoadAvg())
}

// chart draws deliveries/s and p99 of the message scenarios and idle memory per 1,000
// connections, one panel each (a panel with nothing to show is left out).
func chart(title string, chosen []scenario, servers []server, results map[string]map[string][]chatload.Result) []byte {
	var msgs, idle []string
	offered := map[string]float64{}
	for _, sc := range chosen {
		if sc.idle {
			idle = append(idle, sc.name)
		} else {
			msgs = append(msgs, sc.name)
			offered[sc.name] = sc.offered
		}
	}
	var names []string
	for _, s := range servers {
		names = append(names, s.name)
	}
	fig := func(f func(chatload.Result) float64) func(g, s string) float64 {
		return func(g, s string) float64 {
			if offered[g] > 0 {
				return medFixed(results[g][s], f) // as the fixed-rate table counts them
			}
			return med(results[g][s], f)
		}
	}
	panels := []panel{
		{id: "deliveries", title: "Deliveries per second (log scale; dashed: the offered rate of a fixed-rate scenario)", log: true,
			groups: msgs, series: names, value: fig(func(r chatload.Result) float64 { return r.DeliveriesPerS }),
			ref: func(g string) float64 { return offered[g] }, label: compact},
		{id: "p99", title: "p99 latency, ms (log scale; lower is better)", log: true,
			groups: msgs, series: names, value: fig(func(r chatload.Result) float64 { return r.LatencyP99Ms }), label: msLabel},
		{id: "idle", title: "Idle memory, MiB per 1,000 connections (lower is better)",
			groups: idle, series: names, value: fig(func(r chatload.Result) float64 { return r.RSSPer1kMB }),
			label: func(v float64) string { return fmt.Sprintf("%.1f", v) }},
	}
	return render(title, names, panels)
}

// render writes the SVG document: title, legend, then the panels that have a bar.
func render(title string, series []string, panels []panel) []byte {
	var shown []panel
	for _, p := range panels {
		if _, hi := p.extent(); hi > 0 {
			shown = append(shown, p)
		}
	}
	h := chartTop + len(shown)*panelH + 10
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", chartW, h, chartW, h)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", chartW, h)
	fmt.Fprintf(&b, `<text x="%d" y="22" font-size="15" font-weight="bold">%s</text>`+"\n", plotLeft, esc(title))
	x := plotLeft
	for _, s := range series {
		fmt.Fprintf(&b, `<rect class="legend" data-series="%s" x="%d" y="36" width="12" height="12" fill="%s"/><text x="%d" y="46">%s</text>`+"\n",
			esc(s), x, colorOf(s), x+16, esc(s))
		x += 16 + 8*len(s) + 24
	}
	for i, p := range shown {
		p.draw(&b, chartTop+i*panelH)
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// extent is the smallest and largest value (or reference) the panel shows above zero.
func (p panel) extent() (lo, hi float64) {
	lo = math.Inf(1)
	see := func(v float64) {
		if v > 0 {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	for _, g := range p.groups {
		for _, s := range p.series {
			see(p.value(g, s))
		}
		if p.ref != nil {
			see(p.ref(g))
		}
	}
	return lo, hi
}

// scale maps values to y in a plot whose top is top, on a log or a linear axis, and lists
// the axis's ticks.
func (p panel) scale(top int) (y func(float64) float64, ticks []float64) {
	lo, hi := p.extent()
	bottom := float64(top + plotH)
	if p.log {
		l0, l1 := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
		if math.Pow(10, l0) >= lo*0.99 {
			l0-- // the smallest value a bar, not the axis line: 10,004 deliveries/s sat on 10k
		}
		if l1 <= l0 {
			l1 = l0 + 1
		}
		for e := l0; e <= l1; e++ {
			ticks = append(ticks, math.Pow(10, e))
		}
		return func(v float64) float64 {
			v = math.Max(v, math.Pow(10, l0))
			return bottom - (math.Log10(v)-l0)/(l1-l0)*plotH
		}, ticks
	}
	step := niceStep(hi / 4)
	top1 := math.Ceil(hi*1.05/step) * step
	for v := 0.0; v <= top1+step/2; v += step {
		ticks = append(ticks, v)
	}
	return func(v float64) float64 { return bottom - v/top1*plotH }, ticks
}

// niceStep rounds x up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	e := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*e >= x {
			return m * e
		}
	}
	return 10 * e
}

func (p panel) draw(b *bytes.Buffer, top int) {
	fmt.Fprintf(b, `<g class="panel" data-panel="%s">`+"\n", p.id)
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="13" font-weight="bold">%s</text>`+"\n", plotLeft, top+14, esc(p.title))
	plotTop := top + 28
	y, ticks := p.scale(plotTop)
	for _, t := range ticks {
		ty := y(t)
		fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#dddddd"/><text x="%d" y="%.1f" text-anchor="end" fill="#555555">%s</text>`+"\n",
			plotLeft, plotRight, ty, ty, plotLeft-6, ty+4, esc(p.label(t)))
	}
	bottom := plotTop + plotH
	fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#333333"/>`+"\n", plotLeft, plotRight, bottom, bottom)
	gw := float64(plotRight-plotLeft) / float64(max(len(p.groups), 1))
	bw := gw * barSpacing / float64(max(len(p.series), 1))
	for gi, g := range p.groups {
		gx := float64(plotLeft) + float64(gi)*gw
		x0 := gx + gw*(1-barSpacing)/2
		for si, s := range p.series {
			v := p.value(g, s)
			if v <= 0 {
				continue
			}
			x, ty := x0+float64(si)*bw, y(v)
			fmt.Fprintf(b, `<rect class="bar" data-group="%s" data-series="%s" data-value="%g" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s, %s: %s</title></rect>`+"\n",
				esc(g), esc(s), v, x+1, ty, bw-2, float64(bottom)-ty, colorOf(s), esc(s), esc(g), esc(p.label(v)))
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="9">%s</text>`+"\n", x+bw/2, ty-3, esc(p.label(v)))
		}
		if p.ref != nil {
			if r := p.ref(g); r > 0 {
				ry := y(r)
				fmt.Fprintf(b, `<line class="ref" data-group="%s" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#000000" stroke-dasharray="5,3"/>`+"\n",
					esc(g), gx+2, gx+gw-2, ry, ry)
			}
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", gx+gw/2, bottom+18, esc(g))
	}
	b.WriteString("</g>\n")
}

// compact writes a count with k or M: 1.9M, 88k, 950.
func compact(v float64) string {
	switch {
	case v >= 1e6:
		return trimZero(fmt.Sprintf("%.1f", v/1e6)) + "M"
	case v >= 1e3:
		return trimZero(fmt.Sprintf("%.0f", v/1e3)) + "k"
	default:
		return fmt.Sprintf("%.0f", v)
	}
}

func trimZero(s string) string {
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		return s[:len(s)-2]
	}
	return s
}

// msLabel is a latency in ms, with fewer decimals the larger it is.
func msLabel(v float64) string {
	switch {
	case v >= 1000:
		return thousands(v)
	case v >= 10:
		return fmt.Sprintf("%.0f", v)
	case v >= 1:
		return trimZero(fmt.Sprintf("%.1f", v))
	default:
		return fmt.Sprintf("%.2g", v)
	}
}

func esc(s string) string { return html.EscapeString(s) }
