package ws

import "sync"

// chunkSize is the size of the pooled buffers: the queue gathers outgoing frames in them, and
// the reader reads into one when it holds no incomplete frame. Both sides share one pool on
// purpose: a server mostly either reads or writes a burst at a time, and one pool keeps the
// buffers of the busy side warm.
const chunkSize = 16 << 10

var chunks = sync.Pool{New: func() any { b := make([]byte, 0, chunkSize); return &b }}

// getChunk takes an empty pooled buffer.
func getChunk() []byte { return (*chunks.Get().(*[]byte))[:0] }

// putChunk gives b back to the pool, unless it is not one of its buffers.
func putChunk(b []byte) {
	if cap(b) == chunkSize {
		b = b[:0]
		chunks.Put(&b)
	}
}
