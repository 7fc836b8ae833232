package router_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ioroute/ioroute/internal/testutil"
)

const metricsConfig = `
version: 1
server:
  metrics: { listen: "127.0.0.1:0" }
  limits: { events: { spam: { per_second: 1, burst: 1 } } }
namespaces:
  /chat:
    on:
      message:
        - broadcast: { event: new-message, data: "${{ data }}" }
      hello:
        - emit: { event: hi, data: "${{ data }}" }
      fail:
        - emit: { event: hi, data: "${{ data.roomName }}" }
      spam:
        - print: spam
` + syncHandler

// scrape fetches the router's /metrics and returns each sample by its series as the text
// format writes it: name{label="value",...}, labels sorted by name.
func scrape(t *testing.T, s *server) map[string]float64 {
	t.Helper()
	addr := s.Router.MetricsAddr()
	if addr == nil {
		t.Fatal("no metrics listener")
	}
	resp, err := http.Get("http://" + addr.String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: %d", resp.StatusCode)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// waitMetric scrapes until series has value want.
func waitMetric(t *testing.T, s *server, series string, want float64) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		got, ok := scrape(t, s)[series]
		if ok && got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v (present %v), want %v", series, got, ok, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMetricsSeries drives a chat through websocket and polling clients and reads every
// series the router counts from its /metrics.
func TestMetricsSeries(t *testing.T) {
	s := startRouter(t, metricsConfig)
	ws1, ws2 := s.dial(t, "/chat", dialOpts{}), s.dial(t, "/chat", dialOpts{})
	// a polling client: what reaches it goes through the engine socket, not the adapter's
	// websocket queue
	script := testutil.ClientScript(s.url+"/chat", 4,
		testutil.Step{"wait": "connect"},
		testutil.Step{"emit": "hello", "args": []any{"me too"}},
		testutil.Step{"expect": "hi"},
		testutil.Step{"expect": "new-message"},
		testutil.Step{"disconnect": true})
	script["transports"] = []string{"polling"}
	poll := startNode(t, "polling", script)
	waitMetric(t, s, `socketio_events_sent_total{event="hi",namespace="/chat"}`, 1)
	all := []*client{ws1, ws2}

	ws1.emit("message", "hello all")
	for _, c := range all {
		c.expect(t, "new-message")
	}
	poll.Wait(t)
	ws2.emit("hello", "me")
	ws2.expect(t, "hi")
	ws1.emit("not-in-the-config", 1)
	ws1.emit("fail", "a string has no roomName")
	for range 3 {
		ws1.emit("spam")
	}
	for _, c := range all {
		c.sync(t)
	}

	got := scrape(t, s)
	for series, want := range map[string]float64{
		`socketio_connected{namespace="/chat"}`:                                 2,
		`socketio_connections_total{namespace="/chat"}`:                         3,
		`socketio_events_received_total{event="message",namespace="/chat"}`:     1,
		`socketio_events_received_total{event="hello",namespace="/chat"}`:       2,
		`socketio_events_received_total{event="*",namespace="/chat"}`:           1,
		`socketio_events_received_total{event="spam",namespace="/chat"}`:        3,
		`socketio_events_sent_total{event="new-message",namespace="/chat"}`:     3, // one per recipient, polling one included
		`socketio_events_sent_total{event="hi",namespace="/chat"}`:              2,
		`ioroute_handler_errors_total{handler="fail",namespace="/chat"}`:        1,
		`ioroute_handler_duration_seconds_count{namespace="/chat"}`:             got[`ioroute_handler_duration_seconds_count{namespace="/chat"}`],
		`ioroute_reloads_total{result="ok"}`:                                    0,
		`ioroute_reloads_total{result="error"}`:                                 0,
		`ioroute_events_dropped_total{namespace="/chat",reason="pending"}`:      0,
		`ioroute_events_dropped_total{namespace="/chat",reason="payload_size"}`: 0,
	} {
		if v, ok := got[series]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", series, v, ok, want)
		}
	}
	if v := got[`ioroute_events_dropped_total{namespace="/chat",reason="rate_limit"}`]; v < 1 {
		t.Errorf("rate_limit drops = %v, want at least 1 of 3 spam events at 1/s, burst 1", v)
	}
	if v := got[`ioroute_handler_duration_seconds_count{namespace="/chat"}`]; v < 7 {
		t.Errorf("handler runs timed = %v, want one per handled event (at least 7)", v)
	}
	for _, series := range []string{"socketio_bytes_received_total", "socketio_bytes_sent_total", "go_goroutines", "process_open_fds"} {
		if got[series] <= 0 {
			t.Errorf("%s = %v, want more than 0", series, got[series])
		}
	}
	for series := range got {
		if strings.Contains(series, "not-in-the-config") {
			t.Errorf("a client's event name became a series: %s", series)
		}
	}
	content, err := os.ReadFile(s.path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	info := `ioroute_config_info{file="` + s.path + `",sha256="` + hex.EncodeToString(sum[:]) + `"}`
	if got[info] != 1 {
		t.Errorf("%s missing; config series: %v", info, seriesOf(got, "ioroute_config_info"))
	}

	ws2.close()
	waitMetric(t, s, `socketio_connected{namespace="/chat"}`, 1)
	left := 0.0
	for _, series := range seriesOf(scrape(t, s), "socketio_disconnections_total") {
		if strings.Contains(series, `namespace="/chat"`) {
			left += scrape(t, s)[series]
		}
	}
	if left != 2 {
		t.Errorf("socketio_disconnections_total of /chat sums to %v, want 2", left)
	}

	if err := os.WriteFile(s.path, []byte("version: 1\nnamespaces: {/chat: {on: {x: [{emitt: y}]}}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Router.ReloadFile(s.path); err == nil {
		t.Fatal("a broken config reloaded")
	}
	waitMetric(t, s, `ioroute_reloads_total{result="error"}`, 1)
	changed := strings.Replace(metricsConfig, "print: spam", "print: more spam", 1)
	if err := os.WriteFile(s.path, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Router.ReloadFile(s.path); err != nil {
		t.Fatal(err)
	}
	sum = sha256.Sum256([]byte(changed))
	waitMetric(t, s, `ioroute_reloads_total{result="ok"}`, 1)
	waitMetric(t, s, `ioroute_config_info{file="`+s.path+`",sha256="`+hex.EncodeToString(sum[:])+`"}`, 1)
	if got := seriesOf(scrape(t, s), "ioroute_config_info"); len(got) != 1 {
		t.Errorf("config info after reload: %v, want the new file's only", got)
	}
}

func seriesOf(all map[string]float64, name string) []string {
	var out []string
	for s := range all {
		if strings.HasPrefix(s, name+"{") {
			out = append(out, s)
		}
	}
	return out
}

// TestMetricsEndpointMethods: /metrics answers GET and HEAD; other methods get 405, other
// paths 404.
func TestMetricsEndpointMethods(t *testing.T) {
	s := startRouter(t, metricsConfig)
	base := "http://" + s.Router.MetricsAddr().String()
	for _, tt := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/metrics", 200},
		{"HEAD", "/metrics", 200},
		{"POST", "/metrics", 405},
		{"DELETE", "/metrics", 405},
		{"GET", "/", 404},
		{"GET", "/debug/pprof/", 404},
	} {
		req, _ := http.NewRequest(tt.method, base+tt.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, resp.StatusCode, tt.status)
		}
		if tt.status == 405 && resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s %s: Allow %q", tt.method, tt.path, resp.Header.Get("Allow"))
		}
	}
	// the main listener does not serve them
	resp, err := http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("GET /metrics on the clients' listener: %d, want 404", resp.StatusCode)
	}
}

// TestMetricsInPrometheus scrapes the router with a real Prometheus server and reads
// socketio_connected back through its HTTP API while clients come and go.
func TestMetricsInPrometheus(t *testing.T) {
	s := startRouter(t, metricsConfig)
	prom := testutil.StartPrometheus(t, s.Router.MetricsAddr().String())
	a, b := s.dial(t, "/chat", dialOpts{}), s.dial(t, "/chat", dialOpts{})
	waitQuery(t, prom, `socketio_connected{namespace="/chat"}`, 2)
	a.close()
	waitQuery(t, prom, `socketio_connected{namespace="/chat"}`, 1)
	b.close()
	waitQuery(t, prom, `sum(socketio_connections_total)`, 2)
}

// waitQuery queries prom until query yields one series of value want.
func waitQuery(t *testing.T, prom *testutil.Prometheus, query string, want float64) {
	t.Helper()
	deadline := time.Now().Add(4 * wait)
	var got map[string]float64
	for time.Now().Before(deadline) {
		got = prom.Query(t, query)
		if len(got) == 1 {
			for _, v := range got {
				if v == want {
					return
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("Prometheus answers %s with %v, want one series of %v", query, got, want)
}

// TestMetricsPayloadSize: a message over server.max_payload is counted as dropped, on
// websocket (the reader closes the connection with 1009) and on polling (the engine answers
// 413).
func TestMetricsPayloadSize(t *testing.T) {
	s := startRouter(t, strings.Replace(metricsConfig, "server:\n", "server:\n  max_payload: 1000\n", 1))
	const series = `ioroute_events_dropped_total{namespace="*",reason="payload_size"}`
	c := s.dial(t, "/chat", dialOpts{})
	c.emit("message", strings.Repeat("x", 2000))
	waitMetric(t, s, series, 1)

	status, _, body := get(t, "GET", s.url+"/socket.io/?EIO=4&transport=polling")
	sid := regexp.MustCompile(`"sid":"([^"]+)"`).FindStringSubmatch(body)
	if status != 200 || sid == nil {
		t.Fatalf("handshake: %d %s", status, body)
	}
	resp, err := http.Post(s.url+"/socket.io/?EIO=4&transport=polling&sid="+sid[1], "text/plain;charset=UTF-8",
		strings.NewReader(`42["message","`+strings.Repeat("x", 2000)+`"]`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized poll: %d, want 413", resp.StatusCode)
	}
	waitMetric(t, s, series, 2)
}
