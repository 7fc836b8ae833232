package testrun

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/zishang520/socket.io/clients/engine/v3/transports"
	cio "github.com/zishang520/socket.io/clients/socket/v3"
	"github.com/zishang520/socket.io/parsers/socket/v3/parser"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// wire4 is a client of Engine.IO 4 / Socket.IO protocol 5 (socket.io-client 3 and 4): the Go
// client github.com/zishang520/socket.io, over websocket.
type wire4 struct {
	m *cio.Manager
	s *cio.Socket
	// synced receives the answer to sync's request.
	synced chan struct{}
}

// dial4 starts connecting c to namespace at base (http://host:port) with path, query and
// auth; the outcome arrives on c.outcome.
//
// The Go client v3.0.6 can miss its own "open" on a fast loopback handshake (Manager.Open
// subscribes after starting the engine), and connecting a socket on a manager still opening
// can send CONNECT twice, which the server answers by closing the connection. So the manager
// is opened first, an open that went unseen is retried with a fresh manager, and the socket
// connects once the manager is open (as router/harness_test.go does).
func dial4(c *client, base, path, namespace string, query url.Values, auth map[string]any) (*wire4, error) {
	opts := cio.DefaultOptions()
	opts.SetTransports(types.NewSet[transports.TransportCtor](cio.WebSocket))
	opts.SetReconnection(false)
	opts.SetAutoConnect(false)
	opts.SetPath(path)
	if len(query) > 0 {
		opts.SetQuery(query)
	}
	// Longer than any test: the client's connect timer may outlive the open, and closing the
	// client clears it.
	opts.SetTimeout(time.Hour)
	var m *cio.Manager
	for attempt, wait := 1, 300*time.Millisecond; m == nil; attempt, wait = attempt+1, wait*2 {
		m = cio.NewManager(base, opts)
		opened := make(chan error, 1)
		m.Open(func(err error) { opened <- err })
		t := time.NewTimer(wait)
		select {
		case err := <-opened:
			if err != nil {
				t.Stop()
				return nil, fmt.Errorf("cannot open a connection to %s: %w", base, err)
			}
		case <-t.C:
			m.Socket("/", cio.DefaultSocketOptions()).Disconnect()
			m = nil
		}
		t.Stop()
		if m == nil && attempt == 4 {
			return nil, fmt.Errorf("cannot open a connection to %s in %d attempts", base, attempt)
		}
	}
	so := cio.DefaultSocketOptions()
	if auth != nil {
		so.SetAuth(auth)
	}
	// The client's connect_error loses a refusal's message when the refusal has no data, so
	// refusals are read from the packet itself (this listener runs before the socket's).
	synced := make(chan struct{}, 1)
	// recovering is set when the server answered CONNECT with a pid (server.recovery): every
	// event it then sends without an acknowledgement ends with an offset, which a test file
	// does not see, as it does not see other transport details.
	var recovering atomic.Bool
	m.On("packet", func(a ...any) {
		p, ok := firstPacket(a)
		if ok && p.Type == parser.CONNECT && p.Nsp == namespace {
			d, _ := p.Data.(map[string]any)
			pid, _ := d["pid"].(string)
			recovering.Store(pid != "")
		}
		if ok && p.Nsp == syncNamespace {
			select {
			case synced <- struct{}{}:
			default:
			}
			return
		}
		if ok && p.Type == parser.CONNECT_ERROR && p.Nsp == namespace {
			d, _ := p.Data.(map[string]any)
			msg, _ := d["message"].(string)
			data, hasData := d["data"]
			c.refused(msg, plain(data), hasData)
		}
	})
	w := &wire4{m: m, s: m.Socket(namespace, so), synced: synced}
	w.s.On("connect", func(...any) { c.connected(w.s.Id()) })
	w.s.On("connect_error", func(a ...any) {
		var ext *types.ExtendedError
		if len(a) > 0 {
			if err, ok := a[0].(error); ok && errors.As(err, &ext) {
				c.refused(ext.Message, plain(ext.Data), ext.Data != nil)
				return
			}
		}
		c.refused(fmt.Sprint(a...), nil, false)
	})
	w.s.On("disconnect", func(a ...any) {
		reason := ""
		if len(a) > 0 {
			reason = fmt.Sprint(a[0])
		}
		c.disconnected(reason)
	})
	w.s.OnAny(func(a ...any) {
		if len(a) == 0 {
			return
		}
		name, _ := a[0].(string)
		args := a[1:]
		var ack func([]any)
		if n := len(args); n > 0 {
			if f, ok := args[n-1].(sio.Ack); ok {
				args, ack = args[:n-1], func(reply []any) { f(reply, nil) }
			}
		}
		if n := len(args); ack == nil && n > 0 && recovering.Load() {
			if _, offset := args[n-1].(string); offset {
				args = args[:n-1]
			}
		}
		c.event(name, plainList(args), ack)
	})
	w.s.Connect()
	return w, nil
}

// sync writes the CONNECT packet to the engine itself: a second Socket on the manager would
// unsubscribe the first one's listeners when it is destroyed (the client's event emitter
// removes listeners by their code pointer, which all sockets' share).
func (w *wire4) sync(timeout time.Duration) error {
	e := w.m.Engine()
	if e == nil {
		return errors.New("the connection is closed")
	}
	e.Write(types.NewStringBufferString(strconv.Itoa(int(parser.CONNECT))+syncNamespace+","), nil, nil)
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-w.synced:
		return nil
	case <-t.C:
		return fmt.Errorf("the server did not answer within %s after the connect", timeout)
	}
}

func firstPacket(a []any) (*parser.Packet, bool) {
	if len(a) == 0 {
		return nil, false
	}
	p, ok := a[0].(*parser.Packet)
	return p, ok && p != nil
}

func (w *wire4) emit(event string, args []any, ack func([]any)) error {
	if ack != nil {
		args = append(args, sio.Ack(func(reply []any, _ error) { ack(plainList(reply)) }))
	}
	return w.s.Emit(event, args...)
}

// close closes the connection, as closing a browser tab does (the config's reason is
// "transport close"). Closing the socket alone would race its DISCONNECT packet against the
// engine's close, so the reason would change from run to run.
func (w *wire4) close() {
	if e := w.m.Engine(); e != nil {
		e.Close()
	}
	w.s.Disconnect()
}

// plainList converts what the client decoded to plain values (see plain).
func plainList(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = plain(a)
	}
	return out
}

// plain converts a decoded value to the values a test file compares with: maps, lists,
// float64, strings, bools, nil, and []byte for binary attachments.
func plain(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = plain(e)
		}
		return out
	case []any:
		return plainList(v)
	case []byte:
		return v
	case interface{ Bytes() []byte }:
		return v.Bytes()
	case io.Reader:
		b, _ := io.ReadAll(v)
		return b
	}
	return v
}
