package streams

import (
	"strconv"
	"strings"
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

// seqSet is a set of this node's broadcasts, by their sequence number (the entry field
// seqField), each forgotten after a minute (it is kept for a write whose outcome is unknown,
// and such a wait is never that long). Used under deliverMu.
type seqSet map[uint64]time.Time

const (
	seqKeep = time.Minute
	seqMax  = 4096 // past it, entries older than seqKeep are swept
)

func (m seqSet) add(seq uint64) {
	if len(m) >= seqMax {
		now := time.Now()
		for k, at := range m {
			if now.Sub(at) > seqKeep {
				delete(m, k)
			}
		}
	}
	m[seq] = time.Now()
}

// take reports whether seq is in the set, and removes it.
func (m seqSet) take(seq uint64) bool {
	_, ok := m[seq]
	delete(m, seq)
	return ok
}
