package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/ioroute/ioroute/bench/internal/chatload"
)

// rawLine is one line of results-*.jsonl: one run.
type rawLine struct {
	Scenario string  `json:"scenario"`
	Server   string  `json:"server"`
	Rep      int     `json:"rep"`
	LoadAvg  string  `json:"loadavg_after"`
	Pressure float64 `json:"cpu_pressure_before"`
	chatload.Result
}

// report re-renders the tables and the chart of a finished run from its results-*.jsonl,
// after a change to how they are drawn: the tables to stdout and PATH.report.md, the chart
// to PATH.svg (PATH without .jsonl).
func report(path string, stdout io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	results := map[string]map[string][]chatload.Result{}
	var scNames, srvNames, loads []string
	reps := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var l rawLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if results[l.Scenario] == nil {
			results[l.Scenario] = map[string][]chatload.Result{}
			scNames = append(scNames, l.Scenario)
		}
		if !slices.Contains(srvNames, l.Server) {
			srvNames = append(srvNames, l.Server)
		}
		results[l.Scenario][l.Server] = append(results[l.Scenario][l.Server], l.Result)
		reps = max(reps, l.Rep)
		loads = append(loads, strings.Fields(l.LoadAvg + " ?")[0])
	}
	if err := sc.Err(); err != nil {
		return err
	}
	var chosen []scenario
	for _, n := range scNames {
		i := slices.IndexFunc(scenarios, func(s scenario) bool { return s.name == n })
		if i < 0 {
			return fmt.Errorf("%s: scenario %q is not one of benchrun's", path, n)
		}
		chosen = append(chosen, scenarios[i])
	}
	var servers []server
	for _, n := range srvNames {
		servers = append(servers, server{name: n})
	}
	base := strings.TrimSuffix(path, ".jsonl")
	var md bytes.Buffer
	fmt.Fprintf(&md, "Re-rendered from %s: %d repetitions, 1-minute load average after each run %s.\n\n", path, reps, strings.Join(loads, ", "))
	table(&md, chosen, servers, results)
	layerTable(&md, chosen, results)
	fixedTable(&md, chosen, servers, results)
	metricsTable(&md, chosen, results)
	if _, err := stdout.Write(md.Bytes()); err != nil {
		return err
	}
	if err := os.WriteFile(base+".report.md", md.Bytes(), 0o644); err != nil {
		return err
	}
	stamp := strings.TrimPrefix(base[strings.LastIndex(base, "/")+1:], "results-")
	title := fmt.Sprintf("make bench %s, medians of %d repetitions (1-minute load average %s to %s)", stamp, reps, minStr(loads), maxStr(loads))
	return os.WriteFile(base+".svg", chart(title, chosen, servers, results), 0o644)
}

func minStr(s []string) string { return slices.MinFunc(s, cmpNum) }
func maxStr(s []string) string { return slices.MaxFunc(s, cmpNum) }

// cmpNum orders decimal strings by value.
func cmpNum(a, b string) int {
	var x, y float64
	_, _ = fmt.Sscan(a, &x)
	_, _ = fmt.Sscan(b, &y)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}
