package metrics

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestLabelsComeFromTheConfig: event names and namespaces outside the config's, and reasons
// outside the engine's, count under one label each, so clients cannot create series.
func TestLabelsComeFromTheConfig(t *testing.T) {
	m := New(Options{Connected: func() map[string]int { return map[string]int{"/chat": 2} }})
	m.Declare([]string{"/chat"}, []string{"message", "new-message"})
	chat := m.Namespace("/chat")
	for _, tt := range []struct {
		name   string
		count  func()
		series string
		want   float64
	}{
		{"declared event", func() { chat.Event("message").Received() }, `socketio_events_received_total{event="message",namespace="/chat"}`, 1},
		{"undeclared event", func() { chat.Event("x1").Received(); chat.Event("x2").Received() }, `socketio_events_received_total{event="*",namespace="/chat"}`, 2},
		{"deliveries", func() { chat.Event("new-message").Sent(3) }, `socketio_events_sent_total{event="new-message",namespace="/chat"}`, 3},
		{"undeclared namespace", func() { m.Namespace("/other").Connected() }, `socketio_connections_total{namespace="*"}`, 1},
		{"engine reason", func() { m.Disconnected("/chat", "ping timeout") }, `socketio_disconnections_total{namespace="/chat",reason="ping timeout"}`, 1},
		{"other reason", func() { m.Disconnected("/chat", "made up by someone") }, `socketio_disconnections_total{namespace="/chat",reason="other"}`, 1},
		{"drops", func() { chat.Dropped(DropPending, 7) }, `ioroute_events_dropped_total{namespace="/chat",reason="pending"}`, 7},
		{"handler errors", func() { m.HandlerFailed("/chat", "message") }, `ioroute_handler_errors_total{handler="message",namespace="/chat"}`, 1},
		{"reloads", func() { m.Reloaded(true); m.Reloaded(false); m.Reloaded(false) }, `ioroute_reloads_total{result="error"}`, 2},
		{"connected at scrape time", func() {}, `socketio_connected{namespace="/chat"}`, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.count()
			if got := sample(t, m, tt.series); got != tt.want {
				t.Errorf("%s = %v, want %v", tt.series, got, tt.want)
			}
		})
	}
	if chat.Event("message") != chat.Event("message") {
		t.Error("an event's children are made again for each count")
	}
	// a reload keeps the counts, and namespaces it removed
	m.Declare([]string{"/new"}, []string{"message"})
	if got := sample(t, m, `socketio_events_received_total{event="message",namespace="/chat"}`); got != 1 {
		t.Errorf("after a reload: %v", got)
	}
	if m.Namespace("/chat").Name() != "/chat" || m.Namespace("/new").Name() != "/new" {
		t.Error("namespaces not kept across Declare")
	}
	// message, new-message (made with its sent child) and "*": none for x1 or x2
	if n := count(t, m, "socketio_events_received_total"); n != 3 {
		t.Errorf("%d received series, want 3", n)
	}
}

// TestConfigInfo keeps one series: the config serving.
func TestConfigInfo(t *testing.T) {
	m := New(Options{})
	m.ConfigLoaded("a.yaml", []byte("one"))
	m.ConfigLoaded("a.yaml", []byte("two"))
	if n := count(t, m, "ioroute_config_info"); n != 1 {
		t.Fatalf("%d config series", n)
	}
	// sha256("two")
	if got := sample(t, m, `ioroute_config_info{file="a.yaml",sha256="3fc4ccfe745870e2c0d99f71f30ff0656c8dedd41cc1d7d3d376b0dbe685e2f3"}`); got != 1 {
		t.Errorf("config info = %v", got)
	}
}

// TestClusterSeries reads the cluster's counts at scrape time.
func TestClusterSeries(t *testing.T) {
	stats := ClusterStats{Published: 5, Received: 4, Dropped: 3, Up: true}
	m := New(Options{Cluster: func() ClusterStats { return stats }})
	for series, want := range map[string]float64{"ioroute_cluster_published_total": 5, "ioroute_cluster_received_total": 4,
		"ioroute_cluster_dropped_total": 3, "ioroute_cluster_redis_up": 1} {
		if got := sample(t, m, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	stats.Up = false
	if got := sample(t, m, "ioroute_cluster_redis_up"); got != 0 {
		t.Errorf("redis_up = %v with Redis away", got)
	}
}

// sample scrapes m's handler and returns the value of one series.
func sample(t *testing.T, m *Metrics, series string) float64 {
	t.Helper()
	w := httptest.NewRecorder()
	m.Handler(nil).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body, _ := io.ReadAll(w.Result().Body)
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			var f float64
			if _, err := fmt.Sscan(v, &f); err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			return f
		}
	}
	t.Fatalf("no %s in:\n%s", series, body)
	return 0
}

// count is how many series of the metric name m's registry holds.
func count(t *testing.T, m *Metrics, name string) int {
	t.Helper()
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name {
			return len(f.GetMetric())
		}
	}
	return 0
}
