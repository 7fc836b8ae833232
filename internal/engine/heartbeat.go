package engine

import (
	"sync"
	"time"

	engineio "github.com/zishang520/socket.io/servers/engine/v3"
	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/internal/heartbeat"
)

// The engine gives each session a heartbeat of its own: a timer whose goroutine waits on its
// channel for the session's whole life, 2 KiB of stack and about 1.5 KiB of timer objects per
// idle connection, and a race: the engine sends a ping, then arms the timeout, and a pong
// read in between is taken for an early one, so the session ends 20 s later ("ping timeout")
// although the client answered. ioroute runs the heartbeat of the sessions that start on its
// websocket transport itself, on one scheduler (internal/heartbeat), as Node does: the
// timeout is armed before the ping is written.
//
// A session that starts on polling keeps the engine's heartbeat, also after it upgrades.

// beats is the scheduler of every websocket session's heartbeat.
var beats = heartbeat.New()

// OwnHeartbeats makes ioroute run the heartbeat of srv's sessions that start on ioroute's
// websocket transport (see TuneEngine). It is called once srv has its engine (ServeHandler).
func OwnHeartbeats(srv *sio.Server) {
	eio := srv.Engine()
	_ = eio.On("connection", func(args ...any) {
		s, ok := args[0].(engineio.Socket)
		if !ok {
			return
		}
		t, ok := s.Transport().(*wsTransport)
		if !ok {
			return
		}
		// The engine starts its heartbeat once the session's transport is ready, with the
		// callback it left on the request, after this event: taking the callback leaves the
		// heartbeat to ioroute. A session without it has its heartbeat started already.
		if s.Request().TakeTransportReady() == nil {
			return
		}
		opts := eio.Opts()
		b := &beat{t: t, s: s, v3: s.Protocol() == 3, interval: opts.PingInterval(), timeout: opts.PingTimeout()}
		b.last = time.Now()
		first := b.last.Add(b.interval)
		if b.v3 {
			first = b.last.Add(b.interval + b.timeout)
		}
		b.entry = beats.Add(b, first)
		t.setBeat(b)
	})
}

// beat is one websocket session's heartbeat, as the Engine.IO protocol has it:
//   - protocol 4: the server pings every interval and ends the session when no pong came
//     within timeout; the next ping goes interval after the pong;
//   - protocol 3: the client pings, and the server ends the session when no ping came within
//     interval + timeout (the engine still answers each ping with a pong).
type beat struct {
	t                 *wsTransport
	s                 engineio.Socket
	v3                bool
	interval, timeout time.Duration
	entry             *heartbeat.Entry

	mu       sync.Mutex
	last     time.Time // the client's last pong (protocol 4) or ping (protocol 3)
	pingSent time.Time // protocol 4: when the ping waiting for its pong was sent; zero when none
}

// Due sends the ping, or ends the session that did not answer.
func (b *beat) Due(now time.Time) time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.v3 {
		if deadline := b.last.Add(b.interval + b.timeout); now.Before(deadline) {
			return deadline
		}
		go b.expire()
		return time.Time{}
	}
	if !b.pingSent.IsZero() {
		if b.last.Before(b.pingSent) {
			if deadline := b.pingSent.Add(b.timeout); now.Before(deadline) {
				return deadline
			}
			go b.expire()
			return time.Time{}
		}
		b.pingSent = time.Time{} // answered
	}
	if next := b.last.Add(b.interval); now.Before(next) {
		return next
	}
	if !b.t.ping() {
		return time.Time{} // the transport is closing
	}
	b.pingSent = now
	return now.Add(b.timeout)
}

// heartbeatPacket is the packet the client keeps the session alive with: a pong in protocol
// 4, a ping in protocol 3.
func (b *beat) heartbeatPacket() byte {
	if b.v3 {
		return '2'
	}
	return '3'
}

// heard records the client's heartbeat packet.
func (b *beat) heard() {
	now := time.Now()
	b.mu.Lock()
	b.last = now
	answered := !b.v3 && !b.pingSent.IsZero()
	b.mu.Unlock()
	if answered {
		beats.Sooner(b.entry, now.Add(b.interval)) // the next ping, interval after this pong
	}
}

// expire ends the session as the engine does when its heartbeat times out.
func (b *beat) expire() {
	if c, ok := b.s.(interface{ OnClose(string, ...error) }); ok {
		c.OnClose("ping timeout")
		return
	}
	b.s.Close(true)
}
