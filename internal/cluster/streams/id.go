package streams

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// streamID is a Redis stream entry's id, <ms>-<seq>, which is also a client's offset.
type streamID struct{ ms, seq uint64 }

// parseID reads an id as Redis writes it; ok is false for anything else (the offset check
// of the Node adapter, /^[0-9]+-[0-9]+$/, with the numbers in range).
func parseID(s string) (streamID, bool) {
	a, b, found := strings.Cut(s, "-")
	if !found || !digits(a) || !digits(b) {
		return streamID{}, false
	}
	ms, err1 := strconv.ParseUint(a, 10, 64)
	seq, err2 := strconv.ParseUint(b, 10, 64)
	return streamID{ms, seq}, err1 == nil && err2 == nil
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (id streamID) String() string {
	return strconv.FormatUint(id.ms, 10) + "-" + strconv.FormatUint(id.seq, 10)
}

// after tells whether id comes after o in the stream.
func (id streamID) after(o streamID) bool {
	return id.ms > o.ms || (id.ms == o.ms && id.seq > o.seq)
}

// next is the smallest id after id, for an exclusive XRANGE on any Redis version (as the
// Node adapter's nextOffset).
func (id streamID) next() string {
	if id.seq == ^uint64(0) {
		return strconv.FormatUint(id.ms+1, 10) + "-0"
	}
	return strconv.FormatUint(id.ms, 10) + "-" + strconv.FormatUint(id.seq+1, 10)
}

// earlySet remembers this node's broadcasts that were delivered locally before their entry
// was read back (Redis was away, or their write failed), by their data, so that an entry that
// did reach the stream after all is not delivered twice. Entries are forgotten after a minute.
type earlySet struct {
	mu sync.Mutex
	m  map[string]*earlyEntry
}

type earlyEntry struct {
	n  int
	at time.Time
}

const earlyKeep = time.Minute

func (e *earlySet) add(data string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now()
	for k, v := range e.m {
		if now.Sub(v.at) > earlyKeep {
			delete(e.m, k)
		}
	}
	x := e.m[data]
	if x == nil {
		x = &earlyEntry{}
		e.m[data] = x
	}
	x.n++
	x.at = now
}

// take reports whether data was delivered early, and forgets it once.
func (e *earlySet) take(data string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	x := e.m[data]
	if x == nil {
		return false
	}
	if x.n--; x.n == 0 {
		delete(e.m, data)
	}
	return true
}
