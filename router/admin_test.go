package router_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ioroute/ioroute/internal/testutil"
)

// adminHash is a bcrypt hash of "s3cret" (cost 4, so tests log in fast).
const adminHash = "$2a$04$35TQGQ9C6MKKwAMez2Xsc.xZN4kLdzgA7I2qABWoq/YTy4tL5o0Xy"

// adminConfig is a chat with server.admin, whose message handler also answers the sender.
const adminConfig = `
version: 1
server:
  admin:
    auth: { username: admin, password_hash: "` + adminHash + `" }
namespaces:
  /chat:
    on:
      message:
        - broadcast: { event: new-message, data: "${{ data }}" }
        - emit: { event: echoed, data: "${{ data }}" }
        - set: { said: "${{ data.text }}" }
`

// adminReport is what test/node/admin-scenario.mjs prints.
type adminReport struct {
	WrongPassword any            `json:"wrongPassword"`
	Session       string         `json:"session"`
	SessionLogin  any            `json:"sessionLogin"`
	Admin         []adminEvent   `json:"admin"`
	User          []adminEvent   `json:"user"`
	UserID        string         `json:"userId"`
	Error         string         `json:"error"`
	Timeout       bool           `json:"timeout"`
	Extra         map[string]any `json:"-"`
}

type adminEvent struct {
	Event string `json:"event"`
	Args  []any  `json:"args"`
}

// runAdminScenario runs the Admin UI's side of the wire against url (the admin socket on
// adminURL) and returns what it saw.
func runAdminScenario(t *testing.T, url, adminURL string) adminReport {
	t.Helper()
	return runAdminScenarioOn(t, url, adminURL, 1)
}

// runAdminScenarioOn is runAdminScenario on a cluster of servers nodes.
func runAdminScenarioOn(t *testing.T, url, adminURL string, servers int) adminReport {
	t.Helper()
	node, path := testutil.NodeScript(t, "../test/node/admin-scenario.mjs", "socket.io-client")
	arg, _ := json.Marshal(map[string]any{"url": url, "adminUrl": adminURL, "admin": "/admin", "user": "/chat", "username": "admin", "password": "s3cret", "servers": servers})
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, path, string(arg))
	cmd.Dir = filepath.Dir(path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var rep adminReport
	if jerr := json.Unmarshal(out, &rep); jerr != nil {
		t.Fatalf("admin scenario: %v %v; printed %s; stderr %s", err, jerr, out, stderr.String())
	}
	if err != nil || rep.Error != "" || rep.Timeout {
		t.Fatalf("admin scenario failed: %v %s; printed %s; stderr %s", err, rep.Error, out, stderr.String())
	}
	return rep
}

func (r adminReport) find(event string) []adminEvent {
	var out []adminEvent
	for _, e := range r.Admin {
		if e.Event == event {
			out = append(out, e)
		}
	}
	return out
}

// TestAdminUIProtocol: every event of @socket.io/admin-ui 0.5's protocol, as its Node
// instrument() sends and serves them, with socket.io-client 4 on one node.
func TestAdminUIProtocol(t *testing.T) {
	s := startRouter(t, adminConfig)
	rep := runAdminScenario(t, s.url, s.url)
	checkAdminReport(t, rep)
	testutil.WaitForLog(t, s.log, "admin login refused: invalid credentials")
	if !strings.Contains(s.log.String(), "address=127.0.0.1") {
		t.Errorf("the refused login's log line does not name the address:\n%s", s.log.String())
	}
}

func checkAdminReport(t *testing.T, rep adminReport) {
	t.Helper()
	if rep.WrongPassword != "invalid credentials" {
		t.Errorf("wrong password: %v, want connect_error invalid credentials", rep.WrongPassword)
	}
	if len(rep.Session) != 16 || rep.SessionLogin != "connected" {
		t.Errorf("session %q, login with it: %v", rep.Session, rep.SessionLogin)
	}
	if cfg := rep.find("config"); len(cfg) != 1 {
		t.Errorf("config events: %v", cfg)
	} else {
		feats, _ := cfg[0].Args[0].(map[string]any)["supportedFeatures"].([]any)
		want := []any{"EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT", "AGGREGATED_EVENTS", "ALL_EVENTS"}
		if !slices.Equal(feats, want) {
			t.Errorf("supportedFeatures = %v, want %v", feats, want)
		}
	}
	all := rep.find("all_sockets")
	if len(all) != 1 {
		t.Fatalf("all_sockets: %v", all)
	}
	// the admin socket itself, as Node lists it
	list, _ := all[0].Args[0].([]any)
	if len(list) != 1 {
		t.Errorf("all_sockets = %v, want the admin socket", list)
	} else {
		sock := list[0].(map[string]any)
		hs, _ := sock["handshake"].(map[string]any)
		for _, k := range []string{"id", "clientId", "transport", "nsp", "data", "handshake", "rooms"} {
			if _, ok := sock[k]; !ok {
				t.Errorf("all_sockets entry lacks %s: %v", k, sock)
			}
		}
		for _, k := range []string{"address", "headers", "query", "issued", "secure", "time", "url", "xdomain"} {
			if _, ok := hs[k]; !ok {
				t.Errorf("handshake lacks %s: %v", k, hs)
			}
		}
		if sock["nsp"] != "/admin" || len(sock["clientId"].(string)) != 12 {
			t.Errorf("admin socket: %v", sock)
		}
	}
	stats := rep.find("server_stats")
	if len(stats) == 0 {
		t.Fatal("no server_stats")
	}
	st := stats[0].Args[0].(map[string]any)
	for _, k := range []string{"serverId", "hostname", "pid", "uptime", "clientsCount", "pollingClientsCount", "aggregatedEvents", "namespaces"} {
		if _, ok := st[k]; !ok {
			t.Errorf("server_stats lacks %s: %v", k, st)
		}
	}
	types := map[string]bool{}
	for _, e := range stats {
		for _, ag := range e.Args[0].(map[string]any)["aggregatedEvents"].([]any) {
			m := ag.(map[string]any)
			types[m["type"].(string)] = true
			if _, ok := m["timestamp"].(float64); !ok || m["count"].(float64) < 1 {
				t.Errorf("aggregated event %v", m)
			}
		}
	}
	for _, k := range []string{"rawConnection", "rawDisconnection", "packetsIn", "packetsOut", "bytesIn", "bytesOut"} {
		if !types[k] {
			t.Errorf("aggregatedEvents never counted %s: %v", k, types)
		}
	}
	nss := map[string]bool{}
	for _, n := range st["namespaces"].([]any) {
		nss[n.(map[string]any)["name"].(string)] = true
	}
	if !nss["/chat"] || !nss["/admin"] || !nss["/"] {
		t.Errorf("server_stats namespaces = %v", st["namespaces"])
	}
	id := rep.UserID
	var connected map[string]any
	for _, e := range rep.find("socket_connected") {
		if m := e.Args[0].(map[string]any); m["id"] == id {
			connected = m
		}
	}
	if connected == nil || connected["nsp"] != "/chat" || connected["transport"] != "polling" {
		t.Errorf("socket_connected for the user: %v", connected)
	}
	if d, _ := connected["data"].(map[string]any); d == nil || len(d) != 0 {
		t.Errorf("socket_connected data = %v, want {} (no _admin in socket.data)", connected["data"])
	}
	recv := rep.find("event_received")
	if len(recv) == 0 || recv[0].Args[0] != "/chat" || !jsonEqual(recv[0].Args[2], []any{"message", map[string]any{"text": "hi"}}) {
		t.Errorf("event_received = %v", recv)
	}
	// sent to the socket alone, broadcast, and emitted from the UI: each reported as Node's
	// onAnyOutgoing reports it
	sent := rep.find("event_sent")
	for _, want := range [][]any{{"echoed", map[string]any{"text": "hi"}}, {"new-message", map[string]any{"text": "hi"}}, {"from-admin", 1, "two"}} {
		found := false
		for _, e := range sent {
			found = found || (e.Args[0] == "/chat" && e.Args[1] == id && jsonEqual(e.Args[2], want))
		}
		if !found {
			t.Errorf("event_sent lacks %v: %v", want, sent)
		}
	}
	updated := false
	for _, e := range rep.find("socket_updated") {
		m := e.Args[0].(map[string]any)
		updated = updated || (m["id"] == id && m["nsp"] == "/chat" && jsonEqual(m["data"], map[string]any{"said": "hi"}))
	}
	if !updated {
		t.Errorf("no socket_updated with the data set: %v", rep.find("socket_updated"))
	}
	joined, left := false, false
	for _, e := range rep.find("room_joined") {
		joined = joined || (e.Args[0] == "/chat" && e.Args[1] == "lobby" && e.Args[2] == id)
	}
	for _, e := range rep.find("room_left") {
		left = left || (e.Args[0] == "/chat" && e.Args[1] == "lobby" && e.Args[2] == id)
	}
	if !joined || !left {
		t.Errorf("room_joined lobby %v, room_left lobby %v", joined, left)
	}
	var gotEmit, gotDisconnect bool
	for _, e := range rep.User {
		if e.Event == "from-admin" && jsonEqual(e.Args, []any{1.0, "two"}) {
			gotEmit = true
		}
		if e.Event == "disconnect" && e.Args[0] == "io server disconnect" {
			gotDisconnect = true
		}
	}
	if !gotEmit || !gotDisconnect {
		t.Errorf("user saw from-admin %v, disconnect by the server %v: %v", gotEmit, gotDisconnect, rep.User)
	}
	dis := rep.find("socket_disconnected")
	found := false
	for _, e := range dis {
		found = found || (e.Args[0] == "/chat" && e.Args[1] == id && e.Args[2] == "server namespace disconnect")
	}
	if !found {
		t.Errorf("socket_disconnected = %v", dis)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestAdminOwnListener: with server.admin.listen the admin namespace and the UI are served on
// their own listener only, and that listener serves nothing of the config.
func TestAdminOwnListener(t *testing.T) {
	s := startRouter(t, strings.Replace(adminConfig, "    auth:", "    listen: 127.0.0.1:0\n    ui: true\n    auth:", 1))
	addr := s.Router.AdminAddr()
	if addr == nil {
		t.Fatal("no admin listener")
	}
	adminURL := "http://" + addr.String()
	msgs := runNode(t, "admin-on-main", nodeScript(s.url+"/admin", 4, step{"wait": "connect"}))
	if got := connectError(msgs); got != "Invalid namespace" {
		t.Errorf("admin namespace on the main listener: %q, want Invalid namespace", got)
	}
	msgs = runNode(t, "chat-on-admin", nodeScript(adminURL+"/chat", 4, step{"wait": "connect"}))
	if got := connectError(msgs); got != "Invalid namespace" {
		t.Errorf("config namespace on the admin listener: %q, want Invalid namespace", got)
	}
	res, err := http.Get(adminURL + "/admin/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("UI on the admin listener: %d", res.StatusCode)
	}
	if res, err := http.Get(s.url + "/admin/"); err == nil {
		res.Body.Close()
		if res.StatusCode == 200 {
			t.Errorf("UI on the main listener: %d", res.StatusCode)
		}
	}
	rep := runAdminScenario(t, s.url, adminURL)
	checkAdminReport(t, rep)
}

func connectError(msgs []nodeMsg) string {
	for _, m := range msgs {
		if m.Type == "connect_error" && m.Message != nil {
			return *m.Message
		}
	}
	return ""
}

// TestAdminFailedLoginsLimited: after 5 wrong passwords in a minute from one address, even the
// right one is refused from it.
func TestAdminFailedLoginsLimited(t *testing.T) {
	s := startRouter(t, adminConfig)
	login := func(name, password string) string {
		script := nodeScript(s.url+"/admin", 4, step{"wait": "connect"})
		script["auth"] = map[string]any{"username": "admin", "password": password}
		return connectError(runNode(t, name, script))
	}
	if got := login("right", "s3cret"); got != "" {
		t.Fatalf("right password refused: %q", got)
	}
	for i := range 5 {
		if got := login("wrong", "nope"); got != "invalid credentials" {
			t.Fatalf("wrong password %d: %q", i, got)
		}
	}
	if got := login("right-after", "s3cret"); got != "invalid credentials" {
		t.Fatalf("right password after 5 failures: %q, want invalid credentials", got)
	}
	testutil.WaitForLog(t, s.log, "too many failed attempts")
}

// TestAdminReadonlyProduction: readonly leaves out the UI's actions and ignores them;
// production mode reports aggregated counts only (no all_sockets, no socket events).
func TestAdminReadonlyProduction(t *testing.T) {
	cfg := strings.Replace(adminConfig, "    auth:", "    readonly: true\n    mode: production\n    auth:", 1)
	s := startRouter(t, cfg)
	user := startNode(t, "user", nodeScript(s.url+"/chat", 4, step{"wait": "connect"}, step{"sleep": 1500}))
	script := nodeScript(s.url+"/admin", 4, step{"wait": "connect"}, step{"expect": "server_stats"},
		step{"emit": "_disconnect", "args": []any{"/chat", true}}, step{"sleep": 300})
	script["auth"] = map[string]any{"username": "admin", "password": "s3cret"}
	msgs := runNode(t, "admin", script)
	cfgs := eventsOf(msgs, "config")
	if len(cfgs) != 1 || !jsonEqual(cfgs[0], []any{map[string]any{"supportedFeatures": []any{"AGGREGATED_EVENTS"}}}) {
		t.Errorf("config = %v", cfgs)
	}
	for _, ev := range []string{"all_sockets", "socket_connected", "room_joined"} {
		if got := eventsOf(msgs, ev); len(got) != 0 {
			t.Errorf("production mode sent %s: %v", ev, got)
		}
	}
	umsgs := user.Wait(t)
	for _, m := range umsgs {
		if m.Type == "disconnect" {
			t.Errorf("readonly: the UI's _disconnect disconnected the user: %v", rawLines(umsgs))
		}
	}
}

// TestAdminUIProtocolCluster: the same with two nodes on Redis, the admin socket on node 2 and
// the user on node 1: node 1 reports to it, the UI's requests act on node 1's socket, and each
// node sends its own server_stats.
func TestAdminUIProtocolCluster(t *testing.T) {
	rd := testutil.StartRedis(t)
	cfg := strings.Replace(adminConfig, "server:\n", "server:\n  adapter:\n    redis: { url: \""+rd.URL+"\" }\n", 1)
	n1 := startRouter(t, cfg)
	n2 := startRouter(t, cfg)
	rep := runAdminScenarioOn(t, n1.url, n2.url, 2)
	checkAdminReport(t, rep)
	ids := map[any]bool{}
	for _, e := range rep.find("server_stats") {
		ids[e.Args[0].(map[string]any)["serverId"]] = true
	}
	if len(ids) != 2 {
		t.Errorf("server_stats from %d servers, want 2: %v", len(ids), ids)
	}
}

// TestAdminClusterSocketsDescribed: a socket of another node is described to the UI with its
// client id and transport (carried in the fetchSockets answer's data._admin, as Node's
// package does), and sockets() never shows _admin.
func TestAdminClusterSocketsDescribed(t *testing.T) {
	rd := testutil.StartRedis(t)
	cfg := strings.Replace(adminConfig, "server:\n", "server:\n  adapter:\n    redis: { url: \""+rd.URL+"\" }\n", 1) +
		"      who:\n        - ack: \"${{ sockets() }}\"\n"
	n1 := startRouter(t, cfg)
	n2 := startRouter(t, cfg)
	u1 := n1.dial(t, "/chat", dialOpts{})
	u2 := n2.dial(t, "/chat", dialOpts{})
	script := nodeScript(n2.url+"/admin", 4, step{"wait": "connect"}, step{"expect": "all_sockets"})
	script["auth"] = map[string]any{"username": "admin", "password": "s3cret"}
	msgs := runNode(t, "admin", script)
	all := eventsOf(msgs, "all_sockets")
	if len(all) != 1 {
		t.Fatalf("all_sockets: %s", rawLines(msgs))
	}
	found := false
	for _, x := range all[0][0].([]any) {
		s := x.(map[string]any)
		if s["id"] != u1.id {
			continue
		}
		found = true
		if id, _ := s["clientId"].(string); len(id) != 12 || s["transport"] != "websocket" {
			t.Errorf("node 1's socket described without its client: %v", s)
		}
		if d := s["data"].(map[string]any); len(d) != 0 {
			t.Errorf("node 1's socket data = %v, want {}", d)
		}
	}
	if !found {
		t.Fatalf("all_sockets lacks node 1's socket %s: %v", u1.id, all[0][0])
	}
	got := u2.emitAck(t, "who")
	if b, _ := json.Marshal(got); strings.Contains(string(b), "_admin") || !strings.Contains(string(b), u1.id) {
		t.Errorf("sockets() on node 2 = %s", b)
	}
}

// TestAdminInvisibleToConfig: the admin socket and its events never reach the config's
// handlers (connect, catch-all, disconnect) nor its sockets() results.
func TestAdminInvisibleToConfig(t *testing.T) {
	cfg := strings.Replace(adminConfig, "namespaces:\n", `namespaces:
  /:
    on:
      connect:
        - print: "root connect ${{ socket.id }}"
      "*":
        - print: "root event ${{ event }}"
`, 1) + `      connect:
        - print: "chat connect ${{ socket.id }}"
      disconnect:
        - print: "chat disconnect ${{ socket.id }}"
      "*":
        - print: "chat event ${{ event }}"
      who:
        - ack: "${{ sockets() }}"
`
	s := startRouter(t, cfg)
	script := nodeScript(s.url+"/admin", 4, step{"wait": "connect"}, step{"expect": "all_sockets"},
		step{"emit": "hello", "args": []any{1}}, step{"emit": "emit", "args": []any{"/nope", nil, "x"}}, step{"sleep": 200})
	script["auth"] = map[string]any{"username": "admin", "password": "s3cret"}
	msgs := runNode(t, "admin", script)
	mustConnect(t, "admin", msgs)
	u := s.dial(t, "/chat", dialOpts{})
	s.out.WaitFor(t, "chat connect "+u.id)
	got := u.emitAck(t, "who")
	b, _ := json.Marshal(got)
	if strings.Count(string(b), `"id"`) != 1 || !strings.Contains(string(b), u.id) {
		t.Errorf("sockets() = %s, want the chat socket alone", b)
	}
	for _, line := range s.out.All() {
		if strings.HasPrefix(line, "root ") || strings.Contains(line, "event hello") {
			t.Errorf("the admin socket reached the config: %q", line)
		}
	}
}
