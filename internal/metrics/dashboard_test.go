package metrics

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDashboardQueriesExist: every series deploy/grafana-dashboard.json queries is one the
// router exposes, and every socketio_ and ioroute_ series has a panel.
func TestDashboardQueriesExist(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "grafana-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("deploy/grafana-dashboard.json: %v", err)
	}
	m := New(Options{Connected: func() map[string]int { return map[string]int{"/": 0} }, Cluster: func() ClusterStats { return ClusterStats{} }})
	m.Declare([]string{"/"}, []string{"e"})
	ns := m.Namespace("/")
	ns.Event("e").Received()
	ns.Connected()
	m.Disconnected("/", "ping timeout")
	m.HandlerFailed("/", "e")
	m.ConfigLoaded("c.yaml", nil)
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	exposed := map[string]bool{}
	for _, f := range families {
		exposed[f.GetName()] = true
	}
	name := regexp.MustCompile(`\b(?:socketio|ioroute|process|go)_[a-z_]+\b`)
	queried := map[string]bool{}
	for _, p := range d.Panels {
		for _, target := range p.Targets {
			for _, n := range name.FindAllString(target.Expr, -1) {
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					if base := strings.TrimSuffix(n, suffix); base != n && exposed[base] {
						n = base
					}
				}
				queried[n] = true
				if !exposed[n] {
					t.Errorf("panel %q queries %s, which is not exposed", p.Title, n)
				}
			}
		}
	}
	for n := range exposed {
		if (strings.HasPrefix(n, "socketio_") || strings.HasPrefix(n, "ioroute_")) && !queried[n] {
			t.Errorf("no panel shows %s", n)
		}
	}
}
