package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
)

const testKey = "test-key-0123456789"

// call is one call the API made on its Server.
type call struct {
	Op      string
	NS      string
	To      []string
	Except  []string
	Event   string
	Args    []any
	Targets []string
	Room    string
	Close   bool
}

// fakeServer records what the API asks of it; it declares /chat and /news.
type fakeServer struct {
	mu    sync.Mutex
	calls []call
	fail  error
}

func (f *fakeServer) record(c call) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	return f.fail
}

func (f *fakeServer) Declared(ns string) bool { return ns == "/chat" || ns == "/news" }
func (f *fakeServer) Emit(ns string, to, except []string, event string, args []any) error {
	return f.record(call{Op: "emit", NS: ns, To: to, Except: except, Event: event, Args: args})
}
func (f *fakeServer) Disconnect(ns string, targets []string, close bool) error {
	return f.record(call{Op: "disconnect", NS: ns, Targets: targets, Close: close})
}
func (f *fakeServer) Join(ns string, targets []string, room string) error {
	return f.record(call{Op: "join", NS: ns, Targets: targets, Room: room})
}
func (f *fakeServer) Leave(ns string, targets []string, room string) error {
	return f.record(call{Op: "leave", NS: ns, Targets: targets, Room: room})
}
func (f *fakeServer) Sockets(ns string, rooms []string) ([]map[string]any, error) {
	err := f.record(call{Op: "sockets", NS: ns, Targets: rooms})
	return []map[string]any{{"id": "s1", "rooms": []any{"s1", "lobby"}, "data": map[string]any{}}}, err
}

// testAPI serves the API over a fake Server on a real listener; log collects its log.
func testAPI(t *testing.T) (url string, f *fakeServer, log *bytes.Buffer) {
	t.Helper()
	f = &fakeServer{}
	log = &bytes.Buffer{}
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return log.Write(p)
	}), nil))
	srv := httptest.NewServer(Handler(f, Options{Key: testKey, MaxBody: 1000, Log: logger}))
	t.Cleanup(srv.Close)
	return srv.URL, f, log
}

type writerFunc func([]byte) (int, error)

func (w writerFunc) Write(p []byte) (int, error) { return w(p) }

// answer is one HTTP answer, its body decoded.
type answer struct {
	status int
	header http.Header
	body   map[string]any
}

// do sends one request with the given Authorization header ("" for none).
func do(t *testing.T, method, url, auth, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s answered %d with a body that is not a JSON object: %q", method, url, resp.StatusCode, raw)
	}
	return answer{resp.StatusCode, resp.Header, out}
}

const bearer = "Bearer " + testKey

// TestAPIAuth: without the right key every endpoint answers 401, with WWW-Authenticate,
// before looking at anything else; nothing is done, and the key is in no log line.
func TestAPIAuth(t *testing.T) {
	url, f, log := testAPI(t)
	auths := []struct{ name, header string }{
		{"none", ""},
		{"wrong key", "Bearer wrong-key-0123456789"},
		{"a prefix of the key", "Bearer " + testKey[:10]},
		{"the key and more", bearer + "x"},
		{"not bearer", "Basic " + testKey},
		{"two spaces", "Bearer  " + testKey},
	}
	for _, a := range auths {
		for _, r := range Routes {
			for _, method := range []string{r.Method, http.MethodPut} {
				t.Run(a.name+"/"+method+" "+r.Name, func(t *testing.T) {
					got := do(t, method, url+Prefix+r.Name+"?namespace=/chat", a.header, `{"namespace": "/chat", "event": "e"}`)
					if got.status != http.StatusUnauthorized || got.header.Get("WWW-Authenticate") == "" || got.body["error"] == nil {
						t.Fatalf("got %d %v %v", got.status, got.header, got.body)
					}
				})
			}
		}
	}
	if len(f.calls) != 0 {
		t.Fatalf("refused requests acted: %+v", f.calls)
	}
	if strings.Contains(log.String(), testKey[:10]) {
		t.Fatalf("the log shows the key:\n%s", log)
	}
	if got := do(t, "GET", url+Prefix+"sockets?namespace=/chat", "bearer "+testKey, ""); got.status != http.StatusOK {
		t.Fatalf("a lower-case scheme answered %d", got.status)
	}
	if got := do(t, "GET", url+Prefix+"nothing", bearer, ""); got.status != http.StatusNotFound {
		t.Fatalf("an unknown endpoint answered %d", got.status)
	}
}

// TestAPIEndpoints: each endpoint hands the Server what the request says and answers as
// docs/api.yaml does.
func TestAPIEndpoints(t *testing.T) {
	tests := endpointCases
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, f, _ := testAPI(t)
			got := do(t, tt.method, url+Prefix+tt.path, bearer, tt.body)
			if got.status != http.StatusOK || !reflect.DeepEqual(got.body, tt.answer) {
				t.Fatalf("answer %d %v, want 200 %v", got.status, got.body, tt.answer)
			}
			if len(f.calls) != 1 || !reflect.DeepEqual(f.calls[0], tt.want) {
				t.Fatalf("calls %+v, want %+v", f.calls, tt.want)
			}
		})
	}
}

// TestAPIRefuses: what each bad request is answered, with the field at fault named.
func TestAPIRefuses(t *testing.T) {
	tests := refusalCases
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, f, _ := testAPI(t)
			got := do(t, tt.method, url+Prefix+tt.path, bearer, tt.body)
			msg, _ := got.body["error"].(string)
			field, _ := got.body["field"].(string)
			if got.status != tt.status || field != tt.field || !strings.Contains(msg, tt.msg) {
				t.Fatalf("answer %d %v, want %d field %q error %q", got.status, got.body, tt.status, tt.field, tt.msg)
			}
			if tt.status == http.StatusMethodNotAllowed && got.header.Get("Allow") == "" {
				t.Fatal("405 without Allow")
			}
			if len(f.calls) != 0 {
				t.Fatalf("a refused request acted: %+v", f.calls)
			}
		})
	}
}

// TestAPIServerFailure: a Server that fails answers 500 (504 for sockets) with its message.
func TestAPIServerFailure(t *testing.T) {
	url, f, _ := testAPI(t)
	f.fail = errors.New("redis is gone")
	if got := do(t, "POST", url+Prefix+"emit", bearer, `{"namespace": "/chat", "event": "e"}`); got.status != 500 || got.body["error"] != "redis is gone" {
		t.Fatalf("emit: %d %v", got.status, got.body)
	}
	if got := do(t, "GET", url+Prefix+"sockets?namespace=/chat", bearer, ""); got.status != 504 || got.body["error"] != "redis is gone" {
		t.Fatalf("sockets: %d %v", got.status, got.body)
	}
}

// endpointCases are requests each endpoint accepts, what the Server is asked and the answer.
var endpointCases = []struct {
	name   string
	method string
	path   string
	body   string
	want   call
	answer map[string]any
}{
	{"emit to everyone", "POST", "emit", `{"namespace": "/chat", "event": "news", "data": {"text": "hi", "n": 2}}`,
		call{Op: "emit", NS: "/chat", Event: "news", Args: []any{map[string]any{"text": "hi", "n": 2.0}}}, map[string]any{"ok": true}},
	{"emit null data", "POST", "emit", `{"namespace": "/chat", "event": "news", "data": null}`,
		call{Op: "emit", NS: "/chat", Event: "news", Args: []any{nil}}, map[string]any{"ok": true}},
	{"emit no arguments", "POST", "emit", `{"namespace": "/chat", "event": "ping"}`,
		call{Op: "emit", NS: "/chat", Event: "ping"}, map[string]any{"ok": true}},
	{"emit args to rooms except", "POST", "emit", `{"namespace": "/news", "event": "e", "args": ["a", 1, [true]], "to": ["lobby", "s9"], "except": ["s2"]}`,
		call{Op: "emit", NS: "/news", Event: "e", Args: []any{"a", 1.0, []any{true}}, To: []string{"lobby", "s9"}, Except: []string{"s2"}}, map[string]any{"ok": true}},
	{"disconnect sockets", "POST", "disconnect", `{"namespace": "/chat", "sockets": ["s1", "s2"]}`,
		call{Op: "disconnect", NS: "/chat", Targets: []string{"s1", "s2"}}, map[string]any{"ok": true}},
	{"disconnect rooms, closing", "POST", "disconnect", `{"namespace": "/chat", "rooms": ["banned"], "close": true}`,
		call{Op: "disconnect", NS: "/chat", Targets: []string{"banned"}, Close: true}, map[string]any{"ok": true}},
	{"join", "POST", "join", `{"namespace": "/chat", "sockets": ["s1"], "room": "vip"}`,
		call{Op: "join", NS: "/chat", Targets: []string{"s1"}, Room: "vip"}, map[string]any{"ok": true}},
	{"leave", "POST", "leave", `{"namespace": "/chat", "rooms": ["vip"], "room": "vip"}`,
		call{Op: "leave", NS: "/chat", Targets: []string{"vip"}, Room: "vip"}, map[string]any{"ok": true}},
	{"sockets", "GET", "sockets?namespace=/chat", "",
		call{Op: "sockets", NS: "/chat"}, map[string]any{"sockets": []any{map[string]any{"id": "s1", "rooms": []any{"s1", "lobby"}, "data": map[string]any{}}}}},
	{"sockets in rooms", "GET", "sockets?namespace=%2Fchat&room=lobby&room=vip", "",
		call{Op: "sockets", NS: "/chat", Targets: []string{"lobby", "vip"}}, map[string]any{"sockets": []any{map[string]any{"id": "s1", "rooms": []any{"s1", "lobby"}, "data": map[string]any{}}}}},
}

// big is a body over the MaxBody of testAPI.
var big = `{"namespace": "/chat", "event": "e", "data": "` + strings.Repeat("x", 1000) + `"}`

// refusalCases are bad requests, with the status, field and message they are answered with.
var refusalCases = []struct {
	name, method, path, body string
	status                   int
	field, msg               string
}{
	{"unknown field", "POST", "emit", `{"namespace": "/chat", "event": "e", "room": "lobby"}`, 400, "room", "room: unknown field; this endpoint takes namespace, event, data, args, to, except"},
	{"unknown field of disconnect", "POST", "disconnect", `{"namespace": "/chat", "sockets": ["a"], "reason": "x"}`, 400, "reason", "reason: unknown field; this endpoint takes namespace, sockets, rooms, close"},
	{"undeclared namespace", "POST", "emit", `{"namespace": "/admin", "event": "e"}`, 400, "namespace", `namespace: "/admin" is not declared in the config`},
	{"namespace without a slash", "POST", "join", `{"namespace": "chat", "sockets": ["a"], "room": "r"}`, 400, "namespace", `namespace names start with "/"`},
	{"no namespace", "POST", "emit", `{"event": "e"}`, 400, "namespace", "namespace: required"},
	{"no event", "POST", "emit", `{"namespace": "/chat"}`, 400, "event", "event: required"},
	{"reserved event", "POST", "emit", `{"namespace": "/chat", "event": "disconnect"}`, 400, "event", `"disconnect" is reserved by Socket.IO`},
	{"catch-all event", "POST", "emit", `{"namespace": "/chat", "event": "*"}`, 400, "event", `"*" names a config's catch-all handler`},
	{"data and args", "POST", "emit", `{"namespace": "/chat", "event": "e", "data": 1, "args": [1]}`, 400, "args", "give data (one argument) or args (several), not both"},
	{"args not a list", "POST", "emit", `{"namespace": "/chat", "event": "e", "args": {"a": 1}}`, 400, "args", "args: expected a list of arguments"},
	{"args null", "POST", "emit", `{"namespace": "/chat", "event": "e", "args": null}`, 400, "args", "args: expected a list of arguments"},
	{"to of the wrong type", "POST", "emit", `{"namespace": "/chat", "event": "e", "to": "lobby"}`, 400, "to", "to: expected a list of strings, got string"},
	{"event of the wrong type", "POST", "emit", `{"namespace": "/chat", "event": 5}`, 400, "event", "event: expected a string, got number"},
	{"empty to", "POST", "emit", `{"namespace": "/chat", "event": "e", "to": []}`, 400, "to", "to: the list is empty"},
	{"an empty room in to", "POST", "emit", `{"namespace": "/chat", "event": "e", "to": ["a", ""]}`, 400, "to[1]", "to[1]: required, and must not be empty"},
	{"no targets", "POST", "disconnect", `{"namespace": "/chat"}`, 400, "sockets", "sockets: required: give sockets"},
	{"sockets and rooms", "POST", "join", `{"namespace": "/chat", "sockets": ["a"], "rooms": ["b"], "room": "r"}`, 400, "rooms", "give sockets (ids) or rooms, not both"},
	{"no room", "POST", "leave", `{"namespace": "/chat", "sockets": ["a"]}`, 400, "room", "room: required"},
	{"close of the wrong type", "POST", "disconnect", `{"namespace": "/chat", "sockets": ["a"], "close": "yes"}`, 400, "close", "close: expected true or false, got string"},
	{"not JSON", "POST", "emit", `{"namespace": `, 400, "", "the body is not JSON"},
	{"not an object", "POST", "emit", `["/chat"]`, 400, "", "the body must be a JSON object, got array"},
	{"empty body", "POST", "emit", ``, 400, "", "the body is empty"},
	{"two values", "POST", "emit", `{"namespace": "/chat", "event": "e"} {}`, 400, "", "more than one JSON value"},
	{"too large", "POST", "emit", big, 413, "", "the body is over 1000 bytes (server.max_payload)"},
	{"wrong method", "GET", "emit", "", 405, "", "/api/emit takes POST"},
	{"wrong method for sockets", "POST", "sockets?namespace=/chat", "", 405, "", "/api/sockets takes GET"},
	{"unknown query parameter", "GET", "sockets?namespace=/chat&rooms=x", "", 400, "rooms", "rooms: unknown query parameter"},
	{"sockets without namespace", "GET", "sockets", "", 400, "namespace", "namespace: required"},
	{"sockets of an undeclared namespace", "GET", "sockets?namespace=/x", "", 400, "namespace", `"/x" is not declared`},
	{"sockets with an empty room", "GET", "sockets?namespace=/chat&room=", "", 400, "room", "room: required, and must not be empty"},
}
