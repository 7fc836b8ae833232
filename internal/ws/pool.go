package ws

import "sync"

// chunkSize is the size of the pooled buffers: the queue gathers outgoing frames in them, and
// the reader reads into one when it holds no incomplete frame. Both sides share one pool on
// purpose: a server mostly either reads or writes a burst at a time, and one pool keeps the
// buffers of the busy side warm.
const chunkSize = 16 << 10

// chunks holds pooled buffers, each in a box (a *[]byte: a pool holds pointers without
// allocating). The boxes an emptied pool slot leaves are kept in boxes, so that giving a
// buffer back allocates no new box: a busy server gives back one per write.
var (
	chunks = sync.Pool{New: func() any { b := make([]byte, 0, chunkSize); return &b }}
	boxes  = sync.Pool{New: func() any { return new([]byte) }}
)

// getChunk takes an empty pooled buffer.
func getChunk() []byte {
	box := chunks.Get().(*[]byte)
	b := (*box)[:0]
	*box = nil
	boxes.Put(box)
	return b
}

// putChunk gives b back to the pool, unless it is not one of its buffers.
func putChunk(b []byte) {
	if cap(b) == chunkSize {
		box := boxes.Get().(*[]byte)
		*box = b[:0]
		chunks.Put(box)
	}
}
