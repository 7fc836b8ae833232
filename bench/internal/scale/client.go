package scale

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// client is one websocket Socket.IO client of /chat. It is smaller than chatload's (one
// goroutine and a few hundred bytes of buffers each, so ten thousand fit in one process) and
// records, per broadcast, when it arrived.
type client struct {
	w       *worker
	id      int
	node    int
	stalled bool
	ws      *websocket.Conn
	// when its CONNECT arrived (set before the report barrier, read after it)
	connectedAt int64
	wmu         sync.Mutex

	// written by the reader goroutine, read by the report (atomics: a reader may still be
	// answering pings then)
	recvNs []atomic.Int64 // per broadcast: when it arrived (0: not yet)
	latUs  []atomic.Int32 // per broadcast: arrival minus the send time it carries, µs
	dup    atomic.Int64

	closed   atomic.Bool // the connection ended (reading clients)
	closeErr atomic.Pointer[string]
	closedAt atomic.Int64
	// heartbeats as this client saw them: when the first and the last ping arrived, and the
	// longest time between two
	firstPing, lastPing, maxPingGap atomic.Int64
	cut                             atomic.Bool // a stalled client found its connection closed by the server
	resume                          chan struct{}
	ended                           chan struct{}
}

// dialer binds every socket to the worker's own loopback source address. With
// IP_BIND_ADDRESS_NO_PORT the port is picked at connect time per destination, so each source
// address has the whole ephemeral range towards each node.
func dialer(source string, stalled bool, writeBuf int) *websocket.Dialer {
	nd := &net.Dialer{
		LocalAddr: &net.TCPAddr{IP: net.ParseIP(source)},
		Control: func(_, _ string, rc syscall.RawConn) error {
			var serr error
			err := rc.Control(func(fd uintptr) { serr = setSockopts(fd, stalled) })
			return errors.Join(err, serr)
		},
	}
	return &websocket.Dialer{NetDialContext: nd.DialContext, HandshakeTimeout: 20 * time.Second,
		ReadBufferSize: 512, WriteBufferSize: writeBuf}
}

// connect opens the websocket and joins the namespace, then starts the reader.
func (w *worker) connect(ctx context.Context, c *client, d *websocket.Dialer) error {
	url := strings.Replace(w.job.URLs[c.node], "http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
	ws, _, err := d.DialContext(ctx, url, nil)
	if err != nil {
		return err
	}
	c.ws = ws
	if dl, ok := ctx.Deadline(); ok {
		_ = ws.SetReadDeadline(dl)
	}
	ns := w.job.Namespace
	if err := c.expect(func(m []byte) bool { return bytes.HasPrefix(m, []byte("0{")) }); err != nil {
		ws.Close()
		return fmt.Errorf("open packet: %w", err)
	}
	if err := c.write([]byte("40" + ns + ",")); err != nil {
		ws.Close()
		return err
	}
	if err := c.expect(func(m []byte) bool { return bytes.HasPrefix(m, []byte("40"+ns+",")) }); err != nil {
		ws.Close()
		return fmt.Errorf("CONNECT: %w", err)
	}
	_ = ws.SetReadDeadline(time.Time{})
	go c.read()
	return nil
}

// expect reads until a frame matches, answering pings on the way.
func (c *client) expect(match func([]byte) bool) error {
	for {
		_, m, err := c.ws.ReadMessage()
		if err != nil {
			return err
		}
		if match(m) {
			return nil
		}
		if len(m) > 0 && m[0] == '2' {
			_ = c.write(append([]byte{'3'}, m[1:]...))
		}
		if bytes.HasPrefix(m, []byte("44")) || bytes.HasPrefix(m, []byte("1")) {
			return fmt.Errorf("refused: %q", m)
		}
	}
}

func (c *client) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// read records broadcasts until the connection ends. A stalled client, once the server
// acknowledged its joining the stall room, reads nothing until resumed, then drains what is
// left and learns whether the server closed its connection.
func (c *client) read() {
	defer close(c.ended)
	ns := c.w.job.Namespace
	prefix := []byte("42" + ns + `,["new-message",`)
	joinAck := []byte("43" + ns + ",0")
	for {
		_, m, err := c.ws.ReadMessage()
		if err != nil {
			if !c.w.quitting.Load() {
				msg := time.Now().Format("15:04:05.000 ") + err.Error()
				c.closeErr.Store(&msg)
				c.closedAt.Store(time.Now().UnixNano())
				c.closed.Store(true)
				if !c.stalled {
					c.w.active.Add(-1)
				}
			}
			return
		}
		now := time.Now().UnixNano()
		switch {
		case len(m) > 0 && m[0] == '2':
			_ = c.write(append([]byte{'3'}, m[1:]...))
			if last := c.lastPing.Swap(now); last != 0 {
				c.maxPingGap.Store(max(c.maxPingGap.Load(), now-last))
			} else {
				c.firstPing.Store(now)
			}
		case c.stalled && bytes.HasPrefix(m, joinAck):
			c.w.joined.Done()
			c.drainWhenResumed()
			return
		case !c.stalled && bytes.HasPrefix(m, prefix):
			q, okQ := field(m, []byte(`"q":`))
			t, okT := field(m, []byte(`"t":`))
			if !okQ || !okT || q < 0 || int(q) >= len(c.recvNs) {
				continue
			}
			if !c.recvNs[q].CompareAndSwap(0, now) {
				c.dup.Add(1)
				continue
			}
			c.latUs[q].Store(int32(now/1000 - t))
			c.w.received[q].Add(1)
		}
	}
}

// drainWhenResumed is a stalled client's end: it waits to be resumed, then reads what is left
// for up to stallDrain. A connection the server closed ends within it, one still open times
// out.
func (c *client) drainWhenResumed() {
	<-c.resume
	_ = c.ws.SetReadDeadline(time.Now().Add(stallDrain))
	for {
		if _, _, err := c.ws.NextReader(); err != nil {
			var ne net.Error
			c.cut.Store(!(errors.As(err, &ne) && ne.Timeout()) && !c.w.quitting.Load())
			return
		}
	}
}

// stallDrain bounds how long a resumed stalled client reads what is left.
const stallDrain = 3 * time.Second

// field finds key in b and parses the number after it; JSON numbers may come back as floats
// (1.7e+15), which go through ParseFloat.
func field(b, key []byte) (int64, bool) {
	i := bytes.Index(b, key)
	if i < 0 {
		return 0, false
	}
	b = b[i+len(key):]
	end := 0
	for end < len(b) && strings.IndexByte("0123456789-+.eE", b[end]) >= 0 {
		end++
	}
	if end == 0 {
		return 0, false
	}
	if n, err := strconv.ParseInt(string(b[:end]), 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(string(b[:end]), 64)
	return int64(f), err == nil
}
