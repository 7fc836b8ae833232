package metrics

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Other is the label value of the event names and namespaces the config does not declare.
const Other = "*"

// DropReason is why a limit dropped an event.
type DropReason int

// The reasons, as the reason label names them.
const (
	DropRate DropReason = iota
	DropFlood
	DropPayloadSize
	DropPending
	numDropReasons
)

var dropLabels = [numDropReasons]string{"rate_limit", "flood", "payload_size", "pending"}

// names is what Declare made of one config: the namespaces' children, and the event names
// that get a label of their own.
type names struct {
	index map[string]int // declared event name -> its place in each Namespace's events
	nss   map[string]*Namespace
}

// Namespace holds the children of one namespace, resolved once so that counting an event is
// a map lookup and an atomic add.
type Namespace struct {
	m    *Metrics
	name string
	// Duration times the namespace's handler runs.
	Duration    prometheus.Observer
	connections prometheus.Counter
	dropped     [numDropReasons]prometheus.Counter
	index       map[string]int
	// events holds an Event per declared name, and the "*" one last, each made on first use.
	events []atomic.Pointer[Event]
}

// Event holds the children of one event name of one namespace.
type Event struct {
	received, sent prometheus.Counter
}

// Received counts one event received.
func (e *Event) Received() { e.received.Inc() }

// Sent counts n deliveries of the event.
func (e *Event) Sent(n int) { e.sent.Add(float64(n)) }

// Declare sets the namespaces and the event names of the config now serving; each declared
// event name gets a label of its own in every namespace. Namespaces of an earlier config stay
// (their sockets may still be leaving).
func (m *Metrics) Declare(namespaces []string, events []string) {
	m.declareMu.Lock()
	defer m.declareMu.Unlock()
	old := m.names.Load()
	n := &names{index: make(map[string]int, len(events)), nss: make(map[string]*Namespace, len(namespaces)+1)}
	for _, e := range events {
		if _, ok := n.index[e]; !ok {
			n.index[e] = len(n.index)
		}
	}
	keep := map[string]bool{"/": true, Other: true}
	for _, ns := range namespaces {
		keep[ns] = true
	}
	for name := range old.nss {
		keep[name] = true
	}
	for name := range keep {
		n.nss[name] = m.newNamespace(name, n.index)
	}
	m.names.Store(n)
}

func (m *Metrics) newNamespace(name string, index map[string]int) *Namespace {
	ns := &Namespace{m: m, name: name, index: index,
		Duration:    m.duration.WithLabelValues(name),
		connections: m.connections.WithLabelValues(name),
		events:      make([]atomic.Pointer[Event], len(index)+1)}
	for r := range numDropReasons {
		ns.dropped[r] = m.dropped.WithLabelValues(name, dropLabels[r])
	}
	return ns
}

// Namespace returns the children of namespace name; a name the config never declared counts
// under "*".
func (m *Metrics) Namespace(name string) *Namespace {
	n := m.names.Load()
	if ns, ok := n.nss[name]; ok {
		return ns
	}
	return n.nss[Other]
}

// Name is the namespace's label value.
func (n *Namespace) Name() string { return n.name }

// Connected counts one socket connected.
func (n *Namespace) Connected() { n.connections.Inc() }

// Dropped counts count events dropped for reason.
func (n *Namespace) Dropped(reason DropReason, count int) { n.dropped[reason].Add(float64(count)) }

// Ran times one handler run that started at start.
func (n *Namespace) Ran(start time.Time) { n.Duration.Observe(time.Since(start).Seconds()) }

// Event returns the children of event name; a name the config does not declare counts
// under "*".
func (n *Namespace) Event(name string) *Event {
	i, ok := n.index[name]
	if !ok {
		i, name = len(n.events)-1, Other
	}
	if e := n.events[i].Load(); e != nil {
		return e
	}
	e := &Event{received: n.m.received.WithLabelValues(n.name, name), sent: n.m.sent.WithLabelValues(n.name, name)}
	if !n.events[i].CompareAndSwap(nil, e) {
		return n.events[i].Load()
	}
	return e
}
