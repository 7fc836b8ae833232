package main

import (
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// chatNS is the one namespace the chat serves.
const chatNS = "/chat"

// hub holds every connection and the ones joined to /chat, and runs the one heartbeat
// ticker they all share.
type hub struct {
	pingInterval time.Duration
	upgrader     websocket.Upgrader

	mu    sync.RWMutex
	conns map[*conn]struct{}
	chat  map[*conn]struct{}

	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup // the heartbeat goroutine and every connection's goroutines
}

func newHub(pingInterval time.Duration) *hub {
	h := &hub{
		pingInterval: pingInterval,
		// The benchmark's clients come from loopback; the origin is not checked.
		upgrader: websocket.Upgrader{ReadBufferSize: 4 << 10, WriteBufferSize: 1 << 10,
			CheckOrigin: func(*http.Request) bool { return true }},
		conns: map[*conn]struct{}{},
		chat:  map[*conn]struct{}{},
		stop:  make(chan struct{}),
	}
	h.wg.Add(1)
	go h.heartbeat()
	return h
}

// ServeHTTP accepts Engine.IO 4 websocket sessions; any other request is refused as the
// engine refuses a transport it does not serve.
func (h *hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("EIO") != "4" || q.Get("transport") != "websocket" || !websocket.IsWebSocketUpgrade(r) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"code":0,"message":"Transport unknown"}`))
		return
	}
	ws, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered the client already
	}
	h.wg.Add(1)
	defer h.wg.Done()
	c := newConn(h, ws)
	h.mu.Lock()
	h.conns[c] = struct{}{}
	h.mu.Unlock()
	h.wg.Add(1)
	go c.writeLoop()
	c.readLoop() // the handler's goroutine reads until the connection ends
	h.mu.Lock()
	delete(h.conns, c)
	delete(h.chat, c)
	h.mu.Unlock()
}

func (h *hub) join(c *conn) {
	h.mu.Lock()
	h.chat[c] = struct{}{}
	h.mu.Unlock()
}

func (h *hub) leave(c *conn) {
	h.mu.Lock()
	delete(h.chat, c)
	h.mu.Unlock()
}

func (h *hub) joined(c *conn) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	_, ok := h.chat[c]
	return ok
}

// broadcast sends `new-message` with data to every /chat socket: one frame, encoded once,
// appended to each connection's queue.
func (h *hub) broadcast(data []byte) {
	payload := make([]byte, 0, len(`42/chat,["new-message",]`)+len(data))
	payload = append(payload, `42/chat,["new-message",`...)
	payload = append(payload, data...)
	payload = append(payload, ']')
	frame := appendTextFrame(make([]byte, 0, len(payload)+maxHeader), payload)
	h.mu.RLock()
	for c := range h.chat {
		c.enqueue(frame)
	}
	h.mu.RUnlock()
}

// heartbeat pings every connection each interval; one that did not answer the previous ping
// is closed.
func (h *hub) heartbeat() {
	defer h.wg.Done()
	t := time.NewTicker(h.pingInterval)
	defer t.Stop()
	ping := appendTextFrame(nil, []byte("2"))
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		h.mu.RLock()
		for c := range h.conns {
			if c.awaitingPong.Swap(true) {
				c.kill()
				continue
			}
			c.enqueue(ping)
		}
		h.mu.RUnlock()
	}
}

// close ends every connection and waits for their goroutines and the heartbeat's.
func (h *hub) close() {
	h.stopOnce.Do(func() { close(h.stop) })
	h.mu.RLock()
	for c := range h.conns {
		c.kill()
	}
	h.mu.RUnlock()
	h.wg.Wait()
}
