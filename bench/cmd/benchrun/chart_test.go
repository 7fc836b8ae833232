package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/ioroute/ioroute/bench/internal/chatload"
)

// bars is what a chart shows: panel id → "group/series" → the bar's value.
type bars map[string]map[string]float64

// parseChart decodes the whole SVG as XML (failing on anything not well-formed) and returns
// its bars, the series of its legend and the groups with an offered-rate line.
func parseChart(t *testing.T, svg []byte) (got bars, legend []string, refs []string) {
	t.Helper()
	got = bars{}
	d := xml.NewDecoder(bytes.NewReader(svg))
	panel, root := "", ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root == "" {
			root = el.Name.Space + " " + el.Name.Local
		}
		attr := map[string]string{}
		for _, a := range el.Attr {
			attr[a.Name.Local] = a.Value
		}
		switch {
		case el.Name.Local == "g" && attr["class"] == "panel":
			panel = attr["data-panel"]
			got[panel] = map[string]float64{}
		case el.Name.Local == "rect" && attr["class"] == "bar":
			v, err := strconv.ParseFloat(attr["data-value"], 64)
			if err != nil || attr["height"] == "" || strings.HasPrefix(attr["height"], "-") {
				t.Fatalf("bar %v: bad value or height", attr)
			}
			got[panel][attr["data-group"]+"/"+attr["data-series"]] = v
		case el.Name.Local == "rect" && attr["class"] == "legend":
			legend = append(legend, attr["data-series"])
		case el.Name.Local == "line" && attr["class"] == "ref":
			refs = append(refs, attr["data-group"])
		}
	}
	if root != "http://www.w3.org/2000/svg svg" {
		t.Fatalf("root element %q, want svg in the SVG namespace", root)
	}
	return got, legend, refs
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func chatRun(rate, p99 float64) chatload.Result {
	return chatload.Result{Mode: "chat", DeliveriesPerS: rate, LatencyP99Ms: p99, SendS: 5, DurationS: 5 + p99/1000, OK: true}
}

func idleRun(per1k float64) chatload.Result {
	return chatload.Result{Mode: "idle", RSSPer1kMB: per1k, OK: true}
}

func TestChart(t *testing.T) {
	flood := scenario{name: "50x50"}
	fixed := scenario{name: "50@200/s", offered: 500_000}
	idle := scenario{name: "idle2000", idle: true}
	servers := []server{{name: "ioroute"}, {name: "rawws"}, {name: "node"}}
	results := map[string]map[string][]chatload.Result{
		"50x50": {
			"ioroute": {chatRun(1.2e6, 90), chatRun(1.4e6, 80), chatRun(1.3e6, 100)}, // medians 1.3e6, 90
			"rawws":   {chatRun(2e6, 50)},
			"node":    {chatRun(85_000, 1400)},
		},
		"50@200/s": {
			"ioroute": {chatRun(499_000, 12)},
			"rawws":   {chatRun(499_500, 20)},
			// at a fixed rate, a run that fell behind until the deadline still shows what it did
			"node": {{Mode: "chat", DeliveriesPerS: 88_000, LatencyP99Ms: 39_000, TimedOut: true}},
		},
		"idle2000": {
			"ioroute": {idleRun(22.3)},
			"rawws":   {idleRun(9.5)},
			"node":    {idleRun(25.1)},
		},
	}
	failedNode := map[string]map[string][]chatload.Result{"50x50": {
		"ioroute": {chatRun(1.3e6, 90)},
		"node":    {{Mode: "chat", Error: "stalled", DeliveriesPerS: 1000, LatencyP99Ms: 1}},
	}}
	cases := []struct {
		name    string
		chosen  []scenario
		results map[string]map[string][]chatload.Result
		want    bars
		refs    []string
	}{
		{"messages, fixed rate and idle", []scenario{flood, fixed, idle}, results, bars{
			"deliveries": {"50x50/ioroute": 1.3e6, "50x50/rawws": 2e6, "50x50/node": 85_000,
				"50@200/s/ioroute": 499_000, "50@200/s/rawws": 499_500, "50@200/s/node": 88_000},
			"p99": {"50x50/ioroute": 90, "50x50/rawws": 50, "50x50/node": 1400,
				"50@200/s/ioroute": 12, "50@200/s/rawws": 20, "50@200/s/node": 39_000},
			"idle": {"idle2000/ioroute": 22.3, "idle2000/rawws": 9.5, "idle2000/node": 25.1},
		}, []string{"50@200/s"}},
		{"idle only: one panel", []scenario{idle}, results, bars{
			"idle": {"idle2000/ioroute": 22.3, "idle2000/rawws": 9.5, "idle2000/node": 25.1},
		}, nil},
		{"a failed run and a server that did not run leave gaps", []scenario{flood}, failedNode, bars{
			"deliveries": {"50x50/ioroute": 1.3e6},
			"p99":        {"50x50/ioroute": 90},
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			svg := chart("test run <1> & co", tc.chosen, servers, tc.results)
			got, legend, refs := parseChart(t, svg)
			if !slices.Equal(legend, []string{"ioroute", "rawws", "node"}) {
				t.Errorf("legend %v", legend)
			}
			if !slices.Equal(refs, tc.refs) {
				t.Errorf("offered-rate lines for %v, want %v", refs, tc.refs)
			}
			if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(tc.want))) {
				t.Fatalf("panels %v, want %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(tc.want)))
			}
			for p, want := range tc.want {
				if !maps.Equal(got[p], want) {
					t.Errorf("panel %s: bars %v, want %v", p, got[p], want)
				}
			}
			if !bytes.Contains(svg, []byte("test run &lt;1&gt; &amp; co")) {
				t.Error("the title is missing or not escaped")
			}
		})
	}
}

// On a log axis a taller bar is a larger value, and every bar and tick stays inside the plot.
func TestLogScale(t *testing.T) {
	p := panel{log: true, groups: []string{"g"}, series: []string{"a", "b"},
		value: func(g, s string) float64 { return map[string]float64{"a": 3, "b": 40_000}[s] }}
	y, ticks := p.scale(0)
	if !slices.Equal(ticks, []float64{1, 10, 100, 1000, 10_000, 100_000}) {
		t.Fatalf("ticks %v", ticks)
	}
	if y(1) != plotH || y(100_000) != 0 || !(y(40_000) < y(3)) {
		t.Fatalf("y(1)=%v y(1e5)=%v y(4e4)=%v y(3)=%v", y(1), y(100_000), y(40_000), y(3))
	}
	// a smallest value on a power of ten gets a bar above the axis, not none
	p.value = func(g, s string) float64 { return map[string]float64{"a": 10_000, "b": 500_000}[s] }
	y, ticks = p.scale(0)
	if ticks[0] != 1000 || !(y(10_000) < plotH) {
		t.Fatalf("ticks %v, y(1e4)=%v: want the axis to start at 1000, below the smallest bar", ticks, y(10_000))
	}
}

func TestVerdict(t *testing.T) {
	sc := scenario{name: "200@20/s", offered: 800_000}
	cases := []struct {
		name    string
		io, raw []chatload.Result
		want    string
	}{
		{"met", []chatload.Result{chatRun(790_000, 12)}, []chatload.Result{chatRun(790_000, 79)}, "200@20/s met (0.15×)"},
		{"at the bound", []chatload.Result{chatRun(790_000, 15)}, []chatload.Result{chatRun(790_000, 10)}, "200@20/s met (1.50×)"},
		{"missed", []chatload.Result{chatRun(790_000, 16)}, []chatload.Result{chatRun(790_000, 10)}, "200@20/s missed (1.60×)"},
		{"not sustained", []chatload.Result{chatRun(600_000, 2600)}, []chatload.Result{chatRun(790_000, 10)}, "200@20/s not sustained by ioroute (deliveries went on 2.6 s after the last send)"},
		{"rawws did not run", []chatload.Result{chatRun(790_000, 12)}, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := verdict(sc, tc.io, tc.raw); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
