package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net"
	"sync"
	"sync/atomic"

	"github.com/gorilla/websocket"
)

// maxQueue bounds what one connection may have waiting to be written; a client that reads
// slower than the chat fills it and is cut off.
const maxQueue = 4 << 20

// conn is one websocket session with at most one socket in /chat.
//
// Reading goes through gorilla/websocket (already the load generator's library; it checks
// masking, control frames and UTF-8 for us). Writing does not: gorilla writes and flushes
// one message per call, and the point of this server is that whatever piles up while a
// write is in flight goes out in the next single write. Server frames are unmasked and
// their header is a few bytes (frame.go), so they are appended by hand to a byte queue that
// one writer goroutine swaps out and writes to the raw connection.
type conn struct {
	h   *hub
	ws  *websocket.Conn
	nc  net.Conn
	sid string

	mu    sync.Mutex
	queue []byte // whole frames waiting for the writer
	dead  bool

	wake     chan struct{} // one token: the queue went from empty to not empty
	done     chan struct{} // closed when the connection ends
	killOnce sync.Once

	awaitingPong atomic.Bool
}

func newConn(h *hub, ws *websocket.Conn) *conn {
	c := &conn{h: h, ws: ws, nc: ws.NetConn(), sid: newSID(), wake: make(chan struct{}, 1), done: make(chan struct{})}
	ws.SetReadLimit(1 << 20)
	return c
}

func newSID() string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// enqueue appends one whole frame to the queue and wakes the writer if it may be idle.
func (c *conn) enqueue(frame []byte) {
	c.mu.Lock()
	if c.dead {
		c.mu.Unlock()
		return
	}
	if len(c.queue)+len(frame) > maxQueue {
		c.mu.Unlock()
		c.kill()
		return
	}
	wasEmpty := len(c.queue) == 0
	c.queue = append(c.queue, frame...)
	c.mu.Unlock()
	if wasEmpty {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
}

func (c *conn) send(packet string) {
	c.enqueue(appendTextFrame(nil, []byte(packet)))
}

// kill ends the connection: the reader's next read and the writer's wait return.
func (c *conn) kill() {
	c.killOnce.Do(func() {
		c.mu.Lock()
		c.dead = true
		c.mu.Unlock()
		close(c.done)
		_ = c.nc.Close()
	})
}

// writeLoop takes the whole queue each time it is woken and writes it at once.
func (c *conn) writeLoop() {
	defer c.h.wg.Done()
	var out []byte
	for {
		select {
		case <-c.wake:
		case <-c.done:
			return
		}
		c.mu.Lock()
		out, c.queue = c.queue, out[:0]
		c.mu.Unlock()
		if len(out) == 0 {
			continue
		}
		if _, err := c.nc.Write(out); err != nil {
			c.kill()
			return
		}
	}
}

// readLoop sends the open packet, then handles every packet until the connection ends.
func (c *conn) readLoop() {
	defer c.kill()
	open, _ := json.Marshal(map[string]any{"sid": c.sid, "upgrades": []string{},
		"pingInterval": c.h.pingInterval.Milliseconds(), "pingTimeout": c.h.pingInterval.Milliseconds(), "maxPayload": 1 << 20})
	c.send("0" + string(open))
	for {
		typ, msg, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		if typ != websocket.TextMessage || len(msg) == 0 {
			continue
		}
		switch msg[0] {
		case '1': // close
			return
		case '3': // pong
			c.awaitingPong.Store(false)
		case '4': // message: one Socket.IO packet
			c.onPacket(msg[1:])
		}
	}
}

// onPacket handles one Socket.IO packet: its type, its namespace ("/" unless it starts with
// one), then the rest.
func (c *conn) onPacket(p []byte) {
	if len(p) == 0 {
		return
	}
	typ, rest := p[0], p[1:]
	ns := "/"
	if len(rest) > 0 && rest[0] == '/' {
		i := bytes.IndexByte(rest, ',')
		if i < 0 {
			ns, rest = string(rest), nil
		} else {
			ns, rest = string(rest[:i]), rest[i+1:]
		}
	}
	switch typ {
	case '0': // CONNECT
		switch ns {
		case chatNS:
			c.h.join(c)
			c.send(`40/chat,{"sid":"` + c.sid + `"}`)
		case "/":
			c.send(`40{"sid":"` + c.sid + `"}`)
		default:
			c.send(`44` + ns + `,{"message":"Invalid namespace"}`)
		}
	case '1': // DISCONNECT
		if ns == chatNS {
			c.h.leave(c)
		}
	case '2': // EVENT
		if ns == chatNS && c.h.joined(c) {
			c.onEvent(rest)
		}
	}
}

var messageEvent = json.RawMessage(`"message"`)

// onEvent re-broadcasts a `message` event's first argument, as it came.
func (c *conn) onEvent(p []byte) {
	for len(p) > 0 && p[0] >= '0' && p[0] <= '9' {
		p = p[1:] // an acknowledgement id: the chat does not acknowledge
	}
	var args []json.RawMessage
	if json.Unmarshal(p, &args) != nil || len(args) < 2 || !bytes.Equal(args[0], messageEvent) {
		return
	}
	c.h.broadcast(args[1])
}
