package engine

import (
	"time"

	"github.com/zishang520/socket.io/v3/pkg/types"
)

// For the sessions whose heartbeat the engine runs (those that start on polling and upgrade
// to this transport; heartbeat.go runs the others'), the engine's Engine.IO 4 heartbeat runs
// on its ping timer's goroutine: it sends a PING
// through the transport, and only then arms the ping timeout that the client's PONG clears.
// The PONG is handled on the goroutine that reads the connection, so when the ping goroutine
// is descheduled between the two (a busy machine) a quick client's PONG is handled first: it
// clears no timeout, the timeout armed after it is never cleared, and the engine ends a
// client that answered within a millisecond with "ping timeout". Measured: 3,000 soak users
// on two shared cores lost 0.3–0.6% of their connections that way, every one with its PONG
// received 0.1–1.3 ms after its PING.
//
// The transport cannot see the engine's timer or learn when it is armed, so the PONG that
// answers a PING is handed to the engine a second time, pongAgainAfter later, when the ping
// goroutine has long gone on: that clears a timeout armed late. To the engine a second PONG
// is harmless: it clears the timeout (or none) and restarts the ping interval from then, so
// the next PING comes that much later, well within what clients allow (ping interval plus
// ping timeout). Only a PONG answering a PING sent through this transport is repeated, once.

// maxPongAgain bounds the delay before a PONG is handed to the engine again.
const maxPongAgain = time.Second

// pongAgainAfter is how long after a PONG it is handed to the engine again: a second, or half
// the ping timeout or half the ping interval when shorter, so that the repeat comes before a
// late timeout fires, and before the next PING (whose timeout it must not clear).
func pongAgainAfter(pingInterval, pingTimeout time.Duration) time.Duration {
	d := maxPongAgain
	for _, bound := range []time.Duration{pingInterval / 2, pingTimeout / 2} {
		if bound > 0 {
			d = min(d, bound)
		}
	}
	return d
}

// pinged records that the engine sent a PING through the transport.
func (t *wsTransport) pinged() { t.awaitingPong.Store(true) }

// ponged is called after the client's PONG was handed to the engine: the one answering the
// last PING is handed to it again, once, after pongDelay.
func (t *wsTransport) ponged() {
	if !t.awaitingPong.CompareAndSwap(true, false) {
		return
	}
	timer := time.AfterFunc(t.pongDelay, func() {
		t.pongAgain.Store(nil)
		if t.ReadyState() == "open" {
			t.OnData(types.NewStringBuffer([]byte{'3'}))
		}
	})
	if old := t.pongAgain.Swap(timer); old != nil {
		old.Stop()
	}
	if t.ReadyState() == "closed" { // closed meanwhile: OnClose may have missed the timer
		t.stopPongAgain()
	}
}

// stopPongAgain cancels a repeat not yet made (the transport closes).
func (t *wsTransport) stopPongAgain() {
	if timer := t.pongAgain.Swap(nil); timer != nil {
		timer.Stop()
	}
}
