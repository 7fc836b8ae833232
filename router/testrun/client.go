package testrun

import (
	"sync"
	"time"
)

// wire is one client's connection to the server, in one protocol. Its callbacks go to the
// client that made it.
type wire interface {
	// emit sends an event; with ack non-nil it asks for an acknowledgement.
	emit(event string, args []any, ack func(args []any)) error
	// close disconnects from the namespace and closes the connection.
	close()
	// sync makes a round trip on the connection after its socket connected: the server reads
	// the connection's packets in order and finishes a connect handler (and what it deferred
	// until the socket was connected, such as a broadcast) before reading the next, so once
	// the answer is back that handler is done. It asks to connect to syncNamespace, which no
	// config declares, and waits for the refusal.
	sync(timeout time.Duration) error
}

// syncNamespace is the namespace a wire's sync asks for.
const syncNamespace = "/__ioroute_test_sync"

// received is an event a client received. An expect step marks the events it matched as
// used, so that each is expected once.
type received struct {
	name string
	args []any
	// ack answers the server's request for an acknowledgement; nil when it asked for none.
	ack  func(args []any)
	used bool
}

// outcome is how a connection attempt ended: with a socket id, or refused.
type outcome struct {
	id      string
	refused bool
	message string
	// data is the refusal's data; hasData tells a null data from none.
	data    any
	hasData bool
	err     error
}

// client is a named client of a running test: what it received, and its connection.
type client struct {
	name string
	wire wire

	mu sync.Mutex
	// events are what the client received since it last connected, in arrival order.
	events []*received
	// gone is set when the server ended the connection, with the reason.
	gone    bool
	goneWhy string
	changed chan struct{} // signalled on every new event or disconnection
	outcome chan outcome
	id      string
}

func newClient(name string) *client {
	return &client{name: name, changed: make(chan struct{}, 1), outcome: make(chan outcome, 1)}
}

// The wires call these as things happen.

func (c *client) connected(id string) { c.settle(outcome{id: id}) }

func (c *client) refused(msg string, data any, hasData bool) {
	c.settle(outcome{refused: true, message: msg, data: data, hasData: hasData})
}

func (c *client) failed(err error) { c.settle(outcome{err: err}) }

func (c *client) settle(o outcome) {
	select {
	case c.outcome <- o:
	default: // the first outcome counts
	}
}

func (c *client) event(name string, args []any, ack func([]any)) {
	c.mu.Lock()
	c.events = append(c.events, &received{name: name, args: args, ack: ack})
	c.mu.Unlock()
	c.signal()
}

func (c *client) disconnected(reason string) {
	c.mu.Lock()
	c.gone, c.goneWhy = true, reason
	c.mu.Unlock()
	c.signal()
}

func (c *client) signal() {
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

// snapshot returns the events received so far and whether the server disconnected the
// client.
func (c *client) snapshot() ([]*received, bool, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*received(nil), c.events...), c.gone, c.goneWhy
}

// waitChange waits for a new event or disconnection until deadline; false when it passed.
func (c *client) waitChange(deadline time.Time) bool {
	d := time.Until(deadline)
	if d <= 0 {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-c.changed:
		return true
	case <-t.C:
		return false
	}
}

// reset forgets a previous connection before connecting again.
func (c *client) reset() {
	c.mu.Lock()
	c.events, c.gone, c.goneWhy, c.id = nil, false, "", ""
	c.mu.Unlock()
	c.outcome = make(chan outcome, 1)
}
