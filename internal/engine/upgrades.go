package engine

import (
	"sync"
	"time"
)

// Upgrades knows the sessions that are upgrading to one of ioroute's websocket transports:
// the client has sent the upgrade probe on the new websocket and not yet the upgrade packet.
// The client sends that packet and then never polls that session again, but the packet is
// read on the websocket while a polling request may come in on another connection at the
// same moment; a polling request in that window waits for the upgrade (Await), so that it is
// answered as after the upgrade, 400, as Node answers (Node reads the packet first).
//
// Only a session whose websocket holds bytes not yet read waits: a client's poll sent before
// it saw the probe's answer must not wait, since that client sends the upgrade packet only
// once the poll is answered.
type Upgrades struct {
	m sync.Map // session id -> *upgrading
}

// upgrading is one session's upgrade in progress.
type upgrading struct {
	t    *wsTransport
	done chan struct{} // closed when the upgrade ends either way
}

// start records that session sid answered an upgrade probe on t.
func (u *Upgrades) start(sid string, t *wsTransport) {
	u.m.LoadOrStore(sid, &upgrading{t: t, done: make(chan struct{})})
}

// end records that session sid's upgrade is over (done, or its websocket closed).
func (u *Upgrades) end(sid string) {
	if v, ok := u.m.LoadAndDelete(sid); ok {
		close(v.(*upgrading).done)
	}
}

// Await waits, at most timeout, while session sid is upgrading and its websocket holds what
// the client sent but ioroute has not read yet (the upgrade packet, perhaps); otherwise it
// returns at once.
func (u *Upgrades) Await(sid string, timeout time.Duration) {
	v, ok := u.m.Load(sid)
	if !ok {
		return
	}
	up := v.(*upgrading)
	if !up.t.r.Unread() {
		return
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-up.done:
	case <-t.C:
	}
}
