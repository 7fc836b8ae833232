package testrun

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// wire3 is a client of Engine.IO 3 / Socket.IO protocol 4 (socket.io-client 2.x) over
// websocket. No Go client speaks it (the Go client's Engine.IO version is fixed at 4), so this
// is the part of socket.io-client 2's wire format a test needs: connect with a query, events,
// acknowledgements both ways, disconnect and pings. Binary attachments are not sent or read.
type wire3 struct {
	conn *websocket.Conn
	nsp  string
	c    *client

	mu     sync.Mutex // serialises writes and guards acks and nextID
	acks   map[int]func([]any)
	nextID int
	done   chan struct{}
	once   sync.Once
	synced chan struct{}
}

// dial3 connects c to namespace at base (http://host:port) with path and query; auth goes in
// the namespace's query, where socket.io-client 2 sends it. The outcome arrives on c.outcome.
func dial3(c *client, base, path, namespace string, query url.Values, auth map[string]any) (*wire3, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("EIO", "3")
	q.Set("transport", "websocket")
	u.Scheme, u.Path, u.RawQuery = "ws", path, q.Encode()
	conn, _, err := websocket.DefaultDialer.Dial(u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("cannot open a protocol 3 connection to %s: %w", base, err)
	}
	w := &wire3{conn: conn, nsp: namespace, c: c, acks: map[int]func([]any){}, done: make(chan struct{}), synced: make(chan struct{}, 1)}
	_, open, err := conn.ReadMessage()
	if err != nil || len(open) == 0 || open[0] != '0' {
		conn.Close()
		return nil, fmt.Errorf("protocol 3 handshake: no open packet (%v)", err)
	}
	var hs struct {
		Sid          string `json:"sid"`
		PingInterval int    `json:"pingInterval"`
	}
	if err := json.Unmarshal(open[1:], &hs); err != nil {
		conn.Close()
		return nil, fmt.Errorf("protocol 3 handshake: %w", err)
	}
	go w.ping(time.Duration(hs.PingInterval) * time.Millisecond)
	go w.read(hs.Sid)
	// The server connects a protocol 3 client to "/" by itself; other namespaces are asked for.
	if namespace != "/" {
		nq := url.Values{}
		for k, v := range auth {
			nq.Set(k, fmt.Sprint(v))
		}
		head := namespace
		if len(nq) > 0 {
			head += "?" + nq.Encode()
		}
		if err := w.write("40" + head + ","); err != nil {
			w.close()
			return nil, err
		}
	}
	return w, nil
}

func (w *wire3) write(s string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.conn.WriteMessage(websocket.TextMessage, []byte(s))
}

// ping sends Engine.IO 3's pings, which the client sends and the server answers.
func (w *wire3) ping(every time.Duration) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if w.write("2") != nil {
				return
			}
		case <-w.done:
			return
		}
	}
}

// read handles the server's packets until the connection ends.
func (w *wire3) read(sid string) {
	defer w.c.disconnected("transport close")
	for {
		_, msg, err := w.conn.ReadMessage()
		if err != nil {
			return
		}
		s := string(msg)
		if !strings.HasPrefix(s, "4") || len(s) < 2 {
			continue // Engine.IO pong, noop
		}
		if s[1] == '5' || s[1] == '6' {
			w.c.failed(errors.New("the server sent binary data, which the runner's protocol 3 client does not read; use protocol 4"))
			continue
		}
		typ, nsp, id, data := parsePacket3(s[1:])
		if nsp == syncNamespace && (typ == '0' || typ == '4') {
			select {
			case w.synced <- struct{}{}:
			default:
			}
			continue
		}
		if nsp != w.nsp {
			continue
		}
		switch typ {
		case '0':
			id := sid
			if nsp != "/" {
				id = nsp + "#" + sid // the server names a protocol 3 socket so
			}
			w.c.connected(id)
		case '1':
			w.c.disconnected("io server disconnect")
			w.close()
			return
		case '2':
			var args []any
			if json.Unmarshal([]byte(data), &args) != nil || len(args) == 0 {
				continue
			}
			name, _ := args[0].(string)
			var ack func([]any)
			if id >= 0 {
				ack = w.ackFunc(id)
			}
			w.c.event(name, args[1:], ack)
		case '3':
			var args []any
			_ = json.Unmarshal([]byte(data), &args)
			w.mu.Lock()
			f := w.acks[id]
			delete(w.acks, id)
			w.mu.Unlock()
			if f != nil {
				f(args)
			}
		case '4':
			var v any
			_ = json.Unmarshal([]byte(data), &v)
			// a refusal is its message, or {message, data?} (the engine's own refusals)
			switch v := v.(type) {
			case string:
				w.c.refused(v, nil, false)
			case map[string]any:
				msg, _ := v["message"].(string)
				data, hasData := v["data"]
				w.c.refused(msg, data, hasData)
			default:
				w.c.refused("", v, true)
			}
		}
	}
}

func (w *wire3) ackFunc(id int) func([]any) {
	var once sync.Once
	return func(reply []any) {
		once.Do(func() {
			b, _ := json.Marshal(reply)
			_ = w.write("43" + w.prefix() + strconv.Itoa(id) + string(b))
		})
	}
}

// prefix is the namespace part of a packet: nothing for "/", else "/nsp,".
func (w *wire3) prefix() string {
	if w.nsp == "/" {
		return ""
	}
	return w.nsp + ","
}

func (w *wire3) emit(event string, args []any, ack func([]any)) error {
	b, err := json.Marshal(append([]any{event}, args...))
	if err != nil {
		return fmt.Errorf("protocol 3 client: %w (binary data needs protocol 4)", err)
	}
	id := ""
	if ack != nil {
		w.mu.Lock()
		n := w.nextID
		w.nextID++
		w.acks[n] = ack
		w.mu.Unlock()
		id = strconv.Itoa(n)
	}
	return w.write("42" + w.prefix() + id + string(b))
}

func (w *wire3) sync(timeout time.Duration) error {
	if err := w.write("40" + syncNamespace + ","); err != nil {
		return err
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-w.synced:
		return nil
	case <-t.C:
		return fmt.Errorf("the server did not answer within %s after the connect", timeout)
	}
}

func (w *wire3) close() {
	// Like wire4's close: the connection ends, as when a tab closes ("transport close").
	w.once.Do(func() {
		close(w.done)
		w.mu.Lock()
		_ = w.conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
		w.mu.Unlock()
		_ = w.conn.Close()
	})
}

// parsePacket3 splits a Socket.IO protocol 4 packet (after the Engine.IO "4"): its type, its
// namespace ("/" when none is written), its ack id (-1 when none) and its JSON data.
func parsePacket3(s string) (typ byte, nsp string, id int, data string) {
	typ, s, nsp, id = s[0], s[1:], "/", -1
	if strings.HasPrefix(s, "/") {
		end := strings.IndexByte(s, ',')
		if end < 0 {
			end = len(s)
		}
		nsp = s[:end]
		if q := strings.IndexByte(nsp, '?'); q >= 0 {
			nsp = nsp[:q]
		}
		s = strings.TrimPrefix(s[end:], ",")
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 {
		id, _ = strconv.Atoi(s[:i])
	}
	return typ, nsp, id, s[i:]
}
