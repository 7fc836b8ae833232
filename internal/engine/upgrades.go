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
type Upgrades struct {
	m sync.Map // session id -> chan struct{}, closed when the upgrade ends either way
}

// start records that session sid answered an upgrade probe.
func (u *Upgrades) start(sid string) {
	u.m.LoadOrStore(sid, make(chan struct{}))
}

// end records that session sid's upgrade is over (done, or its websocket closed).
func (u *Upgrades) end(sid string) {
	if ch, ok := u.m.LoadAndDelete(sid); ok {
		close(ch.(chan struct{}))
	}
}

// Await waits, at most timeout, while session sid is upgrading; for any other session it
// returns at once.
func (u *Upgrades) Await(sid string, timeout time.Duration) {
	ch, ok := u.m.Load(sid)
	if !ok {
		return
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-ch.(chan struct{}):
	case <-t.C:
	}
}
