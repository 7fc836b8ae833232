package cluster

import (
	"fmt"
	"sync"
	"time"

	"github.com/ioroute/ioroute/internal/cluster/wire"
)

// maxRemoteAckWait bounds an emit with ack to a socket on another node that sets no timeout:
// a socket that is on no node would otherwise be waited for forever.
const maxRemoteAckWait = 5 * time.Minute

// remoteAck is an emit with ack waiting for a socket on another node.
type remoteAck struct {
	mu    sync.Mutex // held while the timer is armed, so finish sees it
	timer *time.Timer
	done  func(replies []any, err error)
}

// remoteAcks holds the emits with ack this node is waiting on, by request id.
type remoteAcks struct{ m sync.Map }

// EmitWithAck asks the node that holds socket sid of nsp to emit event to it and to send its
// acknowledgement back, as Node's adapter does for io.to(id).timeout(ms).emit(...): a
// BROADCAST request to that one socket's room. The protocol carries the first argument of
// the acknowledgement only. done is called once: with the reply, or with an error after
// timeout (maxRemoteAckWait when timeout is 0).
func (c *Cluster) EmitWithAck(nsp, sid, event string, args []any, timeout time.Duration, done func([]any, error)) error {
	if timeout <= 0 || timeout > maxRemoteAckWait {
		timeout = maxRemoteAckWait
	}
	id := RandomID(12)
	p := wire.Packet{Type: wire.PacketEvent, Data: append([]any{event}, args...), Nsp: nsp}
	o := wire.Opts{Rooms: []string{sid}, Except: []string{}, Flags: map[string]any{"timeout": timeout.Milliseconds()}}
	payload, err := wire.EncodeMsgpack(map[string]any{"uid": c.uid, "requestId": id, "type": wire.ReqBroadcast, "packet": p, "opts": o})
	if err != nil {
		return fmt.Errorf("to: cannot encode the emit for the other nodes: %w", err)
	}
	// The entry is stored under its lock before the timer is armed: a timer that fires at once
	// (a short timeout) must find it, or the entry leaks and on_ack never hears of the timeout.
	a := &remoteAck{done: done}
	a.mu.Lock()
	c.acks.m.Store(id, a)
	a.timer = time.AfterFunc(timeout, func() {
		c.acks.finish(id, nil, fmt.Errorf("no acknowledgement within %s (socket %q is on no node, or did not answer)", timeout, sid))
	})
	a.mu.Unlock()
	c.send(c.requestChannel(nsp), payload)
	return nil
}

// onResponse takes an answer to one of this node's requests; answers to other servers'
// requests share the channel and are ignored.
func (c *Cluster) onResponse(payload []byte) {
	var r wire.Response
	if err := wire.DecodeMessage(payload, &r); err != nil {
		return
	}
	switch r.Type {
	case wire.RespBroadcastAck:
		c.acks.finish(r.RequestID, []any{r.Packet}, nil)
	case wire.RespBroadcastCount:
	default: // answers to fetchSockets carry no type
		c.onFetchAnswer(r.RequestID, payload)
	}
}

// finish ends the wait for request id, once, and hands the outcome to its on_ack.
func (a *remoteAcks) finish(id string, replies []any, err error) {
	v, ok := a.m.LoadAndDelete(id)
	if !ok {
		return
	}
	r := v.(*remoteAck)
	r.mu.Lock()
	r.timer.Stop()
	r.mu.Unlock()
	// on_ack runs on its own goroutine, not on the one that receives from Redis for everyone
	go r.done(replies, err)
}

// stop abandons every wait, at shutdown.
func (a *remoteAcks) stop() {
	a.m.Range(func(id, v any) bool {
		r := v.(*remoteAck)
		r.mu.Lock()
		r.timer.Stop()
		r.mu.Unlock()
		a.m.Delete(id)
		return true
	})
}
