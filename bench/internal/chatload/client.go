package chatload

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Events of the chat: clients emit sendEvent, the server broadcasts recvEvent.
const (
	sendEvent = "message"
	recvEvent = "new-message"
)

// Payload keys: {"s": sender, "q": sequence number, "t": send time in µs since the run's base,
// "p": filler}. The filler holds only 'x', so the keys cannot appear inside it.
var (
	keyS = []byte(`"s":`)
	keyQ = []byte(`"q":`)
	keyT = []byte(`"t":`)
)

// connectTimeout bounds one client's WebSocket handshake plus its namespace CONNECT.
const connectTimeout = 10 * time.Second

// client is one WebSocket connection, joined to the namespace.
type client struct {
	r  *run
	id int
	ws *websocket.Conn

	wmu sync.Mutex // one writer at a time: senders, pongs and pings

	connected chan struct{}
	connOnce  sync.Once
	failed    chan error // first failure, buffered
	stop      chan struct{}
	stopOnce  sync.Once

	// owned by the reader goroutine until it ends
	buf     []byte
	seen    []uint64 // bitmap per sender of the sequence numbers received
	lastSeq []int32  // highest sequence number received per sender
	lat     []int64  // µs from send to delivery, one per new delivery
}

// connect dials one client and waits for the namespace's CONNECT.
func (r *run) connect(ctx context.Context, id int) (*client, error) {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	d := websocket.Dialer{HandshakeTimeout: connectTimeout, ReadBufferSize: 32 << 10, WriteBufferSize: 16 << 10}
	ws, resp, err := d.DialContext(ctx, r.wsURLs[id%len(r.wsURLs)], nil)
	if err != nil {
		if resp != nil {
			err = fmt.Errorf("%w (HTTP %s)", err, resp.Status)
		}
		return nil, err
	}
	c := &client{r: r, id: id, ws: ws,
		connected: make(chan struct{}), failed: make(chan error, 1), stop: make(chan struct{}),
		buf: make([]byte, 0, 4096), seen: make([]uint64, r.senders*r.words), lastSeq: make([]int32, r.senders),
		lat: make([]int64, 0, r.senders*r.messages)}
	for i := range c.lastSeq {
		c.lastSeq[i] = -1
	}
	r.wg.Add(1)
	go c.read()
	select {
	case <-c.connected:
		return c, nil
	case err := <-c.failed:
		c.close()
		return nil, err
	case <-ctx.Done():
		c.close()
		return nil, fmt.Errorf("no CONNECT to %s within %s: %w", r.cfg.Namespace, connectTimeout, ctx.Err())
	}
}

func (c *client) close() {
	c.stopOnce.Do(func() {
		close(c.stop)
		_ = c.ws.Close() // unblocks the reader and any blocked writer
	})
}

func (c *client) fail(err error) {
	select {
	case c.failed <- err:
	default:
	}
}

func (c *client) isConnected() bool {
	select {
	case <-c.connected:
		return true
	default:
		return false
	}
}

func (c *client) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// read handles every frame until the connection ends.
func (c *client) read() {
	defer c.r.wg.Done()
	for {
		_, rd, err := c.ws.NextReader()
		if err == nil {
			c.buf, err = readAll(rd, c.buf[:0])
		}
		if err != nil {
			if !c.r.closing.Load() && c.isConnected() {
				c.r.disconnects.Add(1)
			}
			c.fail(err)
			return
		}
		c.handle(c.buf)
	}
}

func readAll(rd io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := rd.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// handle is one Engine.IO packet (one WebSocket frame).
func (c *client) handle(msg []byte) {
	if len(msg) == 0 {
		return
	}
	switch msg[0] {
	case '0': // open
		c.onOpen(msg[1:])
	case '1': // close
		c.fail(errors.New("the server closed the Engine.IO session"))
	case '2': // ping from the server (Engine.IO 4)
		if c.r.cfg.EIO == 4 {
			_ = c.write(append([]byte{'3'}, msg[1:]...))
		}
	case '4': // message: a Socket.IO packet
		c.onPacket(msg[1:])
	}
}

// nsPart is what follows the packet type for the namespace: "/chat," or nothing for "/".
func (r *run) nsPart() string {
	if r.cfg.Namespace == "/" {
		return ""
	}
	return r.cfg.Namespace + ","
}

func (c *client) onOpen(body []byte) {
	var open struct {
		PingInterval int `json:"pingInterval"`
	}
	if err := json.Unmarshal(body, &open); err != nil {
		c.fail(fmt.Errorf("bad open packet %q: %w", body, err))
		return
	}
	// Engine.IO 3 joins "/" by itself (the server sends "40"); other namespaces are asked for.
	if c.r.cfg.EIO == 4 || c.r.cfg.Namespace != "/" {
		if err := c.write([]byte("40" + c.r.nsPart())); err != nil {
			c.fail(err)
			return
		}
	}
	if c.r.cfg.EIO == 3 && open.PingInterval > 0 {
		// in Engine.IO 3 the client pings and the server answers
		interval := time.Duration(open.PingInterval) * time.Millisecond
		c.r.wg.Add(1)
		go func() {
			defer c.r.wg.Done()
			t := time.NewTicker(interval)
			defer t.Stop()
			for {
				select {
				case <-c.stop:
					return
				case <-t.C:
					_ = c.write([]byte("2"))
				}
			}
		}()
	}
}

// onPacket handles one Socket.IO packet: type, namespace, then the rest.
func (c *client) onPacket(p []byte) {
	if len(p) == 0 {
		return
	}
	typ, rest := p[0], p[1:]
	if ns := c.r.cfg.Namespace; ns != "/" {
		if !bytes.HasPrefix(rest, []byte(ns)) {
			return // another namespace ("40" for "/" in Engine.IO 3)
		}
		rest = rest[len(ns):]
		if len(rest) > 0 {
			if rest[0] != ',' {
				return // a namespace that only starts like ours
			}
			rest = rest[1:]
		}
	} else if len(rest) > 0 && rest[0] == '/' {
		return
	}
	switch typ {
	case '0':
		c.connOnce.Do(func() { close(c.connected) })
	case '1':
		c.fail(errors.New("the server disconnected the socket"))
	case '4':
		c.fail(fmt.Errorf("CONNECT refused: %s", rest))
	case '2':
		c.onEvent(rest)
	}
}

var recvPrefix = []byte(`["` + recvEvent + `",`)

// onEvent records one event packet's delivery: ["new-message",{"s":..,"q":..,"t":..}].
func (c *client) onEvent(p []byte) {
	for len(p) > 0 && p[0] >= '0' && p[0] <= '9' {
		p = p[1:] // an acknowledgement id
	}
	if !bytes.HasPrefix(p, recvPrefix) {
		return
	}
	r := c.r
	body := p[len(recvPrefix):]
	s, okS := field(body, keyS)
	q, okQ := field(body, keyQ)
	t, okT := field(body, keyT)
	if !okS || !okQ || !okT || s < 0 || s >= int64(r.senders) || q < 0 || q >= int64(r.messages) {
		r.malformed.Add(1)
		return
	}
	now := r.now()
	w, bit := int(s)*r.words+int(q/64), uint64(1)<<(q%64)
	if c.seen[w]&bit != 0 {
		r.dups.Add(1)
		return
	}
	c.seen[w] |= bit
	if int32(q) < c.lastSeq[s] {
		r.order.Add(1)
	} else {
		c.lastSeq[s] = int32(q)
	}
	c.lat = append(c.lat, now-t)
	r.unique.Add(1)
	storeMax(&r.last, now)
}

// field finds key in b and parses the number after it. JSON numbers may come back as
// floats (1e+06), so anything but plain digits goes through ParseFloat.
func field(b, key []byte) (int64, bool) {
	i := bytes.Index(b, key)
	if i < 0 {
		return 0, false
	}
	b = b[i+len(key):]
	n, plain, end := int64(0), true, 0
	for ; end < len(b); end++ {
		ch := b[end]
		switch {
		case ch >= '0' && ch <= '9':
			n = n*10 + int64(ch-'0')
		case ch == '-' || ch == '+' || ch == '.' || ch == 'e' || ch == 'E':
			plain = false
		default:
			goto done
		}
	}
done:
	if end == 0 {
		return 0, false
	}
	if plain {
		return n, true
	}
	f, err := strconv.ParseFloat(string(b[:end]), 64)
	if err != nil {
		return 0, false
	}
	return int64(f), true
}

// send emits n events as sender number s: back to back, or one per interval starting at
// offset.
func (c *client) send(ctx context.Context, s, n int, interval, offset time.Duration) error {
	r := c.r
	prefix := []byte("42" + r.nsPart() + `["` + sendEvent + `",{"s":`)
	pad := bytes.Repeat([]byte{'x'}, r.cfg.Pad)
	buf := make([]byte, 0, len(prefix)+64+len(pad))
	start := time.Now().Add(offset)
	for q := range n {
		if interval > 0 {
			if !sleep(ctx, time.Until(start.Add(interval*time.Duration(q)))) {
				return ctx.Err()
			}
		} else if err := ctx.Err(); err != nil {
			return err
		}
		buf = append(buf[:0], prefix...)
		buf = strconv.AppendInt(buf, int64(s), 10)
		buf = append(buf, `,"q":`...)
		buf = strconv.AppendInt(buf, int64(q), 10)
		buf = append(buf, `,"t":`...)
		buf = strconv.AppendInt(buf, r.now(), 10)
		if len(pad) > 0 {
			buf = append(buf, `,"p":"`...)
			buf = append(buf, pad...)
			buf = append(buf, '"')
		}
		buf = append(buf, "}]"...)
		if err := c.write(buf); err != nil {
			return err
		}
	}
	return nil
}
