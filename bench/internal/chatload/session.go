package chatload

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Session is one socket.io-client 3.x/4.x connection (Engine.IO 4 over a websocket, Socket.IO
// 5) joined to one namespace, for load that is not the numbered chat of Run: it answers the
// server's pings, counts the events it receives and emits events with JSON arguments.
type Session struct {
	ws     *websocket.Conn
	nsPart string // "/chat," or "" for "/"
	wmu    sync.Mutex
	events atomic.Int64
	closed atomic.Bool
	ended  atomic.Bool // the server disconnected the socket or closed the session
	done   chan struct{}
	err    error // why the connection ended; read after done
}

// Dial connects to namespace ns of the Socket.IO server at base (http://host:port) under
// path (such as /socket.io/), sending auth in the namespace CONNECT, and returns once the
// server accepted the namespace.
func Dial(ctx context.Context, base, path, ns string, auth any) (*Session, error) {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	u := strings.Replace(base, "http", "ws", 1) + path + "?EIO=4&transport=websocket"
	d := websocket.Dialer{HandshakeTimeout: connectTimeout, ReadBufferSize: 4 << 10, WriteBufferSize: 4 << 10}
	ws, resp, err := d.DialContext(ctx, u, nil)
	if err != nil {
		if resp != nil {
			err = fmt.Errorf("%w (HTTP %s)", err, resp.Status)
		}
		return nil, err
	}
	s := &Session{ws: ws, done: make(chan struct{})}
	if ns != "/" {
		s.nsPart = ns + ","
	}
	if err := s.handshake(ctx, auth); err != nil {
		_ = ws.Close()
		return nil, err
	}
	go s.read()
	return s, nil
}

// handshake reads the open packet, asks for the namespace and waits for its CONNECT.
func (s *Session) handshake(ctx context.Context, auth any) error {
	deadline, _ := ctx.Deadline()
	_ = s.ws.SetReadDeadline(deadline)
	defer func() { _ = s.ws.SetReadDeadline(time.Time{}) }()
	_, open, err := s.ws.ReadMessage()
	if err != nil {
		return err
	}
	if len(open) == 0 || open[0] != '0' {
		return fmt.Errorf("expected an open packet, got %q", open)
	}
	connect := "40" + s.nsPart
	if auth != nil {
		b, err := json.Marshal(auth)
		if err != nil {
			return err
		}
		connect += string(b)
	}
	if err := s.write(connect); err != nil {
		return err
	}
	for {
		_, msg, err := s.ws.ReadMessage()
		if err != nil {
			return err
		}
		switch p := string(msg); {
		case strings.HasPrefix(p, "40"+s.nsPart):
			return nil
		case strings.HasPrefix(p, "44"+s.nsPart):
			return fmt.Errorf("CONNECT refused: %s", p[2+len(s.nsPart):])
		case p == "2":
			if err := s.write("3"); err != nil {
				return err
			}
		}
	}
}

// Emit sends event with args, each encoded as JSON.
func (s *Session) Emit(event string, args ...any) error {
	b, err := json.Marshal(append([]any{event}, args...))
	if err != nil {
		return err
	}
	return s.write("42" + s.nsPart + string(b))
}

func (s *Session) write(p string) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.ws.WriteMessage(websocket.TextMessage, []byte(p))
}

// read answers pings and counts events until the connection ends.
func (s *Session) read() {
	defer close(s.done)
	event := "42" + s.nsPart
	buf := make([]byte, 0, 1024)
	for {
		_, rd, err := s.ws.NextReader()
		if err == nil {
			buf, err = readAll(rd, buf[:0])
		}
		if err != nil {
			s.err = err
			return
		}
		switch p := string(buf); {
		case p == "2":
			_ = s.write("3")
		case strings.HasPrefix(p, event):
			s.events.Add(1)
		case p == "41"+s.nsPart || p == "1":
			s.ended.Store(true)
		}
	}
}

// Events counts the events received so far.
func (s *Session) Events() int64 { return s.events.Load() }

// Close leaves the namespace, closes the connection and waits for the reader to end. It
// returns an error when the server had ended the connection first.
func (s *Session) Close() error {
	if s.closed.Swap(true) {
		<-s.done
		return nil
	}
	select {
	case <-s.done:
		return fmt.Errorf("the server ended the connection first: %w", s.err)
	default:
	}
	if s.ended.Load() {
		_ = s.ws.Close()
		<-s.done
		return errors.New("the server disconnected the socket")
	}
	_ = s.write("41" + s.nsPart)
	s.wmu.Lock()
	_ = s.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	s.wmu.Unlock()
	_ = s.ws.Close()
	<-s.done
	return nil
}

// Done is closed when the connection has ended, by either side.
func (s *Session) Done() <-chan struct{} { return s.done }
