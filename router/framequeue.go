package router

import (
	"encoding/binary"
	"net"
	"sync"
	"time"
)

// frameQueue is one websocket connection's outgoing bytes: complete frames, appended by
// whoever sends and written by one writer goroutine, which takes everything queued at once
// into a single writev(2). While a write is in flight the next frames gather behind it, so
// the busier the connection, the bigger the batches.
//
// Frames are appended into fixed-size chunks from a shared pool rather than one growing
// buffer, so a long queue is never copied to grow, and chunks go back to the pool once
// written: an idle connection holds no buffer and no goroutine (the writer runs only while
// there is something to write).
//
// It is bounded: once a frame would make more than limit bytes wait, the queue drops them,
// refuses more and calls overflow, which disconnects the client. An empty queue takes one
// frame of any size, so a message larger than the limit is still delivered to a client that
// keeps up.
type frameQueue struct {
	conn     net.Conn
	limit    int
	overflow func(queued int) // called once, on its own goroutine
	broken   func(err error)  // called by the writer when a write fails (the connection is closed then)

	mu      sync.Mutex
	pending net.Buffers // chunks of frames not yet handed to the writer
	queued  int         // bytes in pending
	writing bool        // the writer goroutine runs
	closing bool        // no more frames are accepted; the queued ones still go out
	closed  bool        // nothing more is accepted or written (overflow, write error, gone)
	after   func()      // runs once the writer is done (closeAfterFlush)
}

// chunkSize is the size of the pooled chunks frames are gathered in; a frame larger than a
// chunk gets a chunk of its own, which is not pooled.
const chunkSize = 16 << 10

var chunks = sync.Pool{New: func() any { b := make([]byte, 0, chunkSize); return &b }}

func newFrameQueue(conn net.Conn, limit int, overflow func(queued int), broken func(error)) *frameQueue {
	return &frameQueue{conn: conn, limit: limit, overflow: overflow, broken: broken}
}

// push queues one frame: a final, unmasked frame of the given opcode around payload, whose
// first byte (the Engine.IO packet type), when prefix is not 0, is prefix. It reports false
// when the frame was dropped because the queue is closing, closed or overflowed.
func (q *frameQueue) push(opcode byte, prefix byte, payload []byte) bool {
	n := len(payload)
	if prefix != 0 {
		n++
	}
	size := n + maxFrameHeader
	q.mu.Lock()
	if q.closed || q.closing {
		q.mu.Unlock()
		return false
	}
	if q.queued > 0 && q.queued+size > q.limit {
		queued := q.queued
		q.closed = true
		q.release(q.pending)
		q.pending, q.queued = nil, 0
		q.mu.Unlock()
		go q.overflow(queued)
		return false
	}
	last := len(q.pending) - 1
	if last < 0 || cap(q.pending[last])-len(q.pending[last]) < size {
		var c []byte
		if size <= chunkSize {
			c = (*chunks.Get().(*[]byte))[:0]
		} else {
			c = make([]byte, 0, size)
		}
		q.pending = append(q.pending, c)
		last++
	}
	c := q.pending[last]
	before := len(c)
	c = appendFrameHeader(c, opcode, n)
	if prefix != 0 {
		c = append(c, prefix)
	}
	c = append(c, payload...)
	q.pending[last] = c
	q.queued += len(c) - before
	start := !q.writing
	q.writing = true
	q.mu.Unlock()
	if start {
		go q.write()
	}
	return true
}

// release returns written or dropped chunks to the pool.
func (q *frameQueue) release(bufs net.Buffers) {
	for i, c := range bufs {
		if cap(c) == chunkSize {
			c = c[:0]
			chunks.Put(&c)
		}
		bufs[i] = nil
	}
}

// busy tells whether frames are waiting or being written.
func (q *frameQueue) busy() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.writing
}

// write is the writer goroutine: it writes everything queued, batch by batch, until nothing
// is left or a write fails.
func (q *frameQueue) write() {
	var batch, spare, iov net.Buffers
	for {
		q.mu.Lock()
		if q.closed || len(q.pending) == 0 {
			q.writing = false
			after := q.after
			q.after = nil
			q.mu.Unlock()
			if after != nil {
				after()
			}
			return
		}
		batch = q.pending
		q.pending, q.queued = spare[:0], 0
		q.mu.Unlock()

		// WriteTo consumes its receiver, clearing the slices it wrote: it gets a copy, and
		// batch keeps the chunks to give back
		iov = append(iov[:0], batch...)
		_, err := iov.WriteTo(q.conn)
		clear(iov)
		q.release(batch)
		spare = batch

		if err != nil {
			q.mu.Lock()
			q.closed = true
			q.release(q.pending)
			q.pending, q.queued = nil, 0
			q.mu.Unlock()
			_ = q.conn.Close()
			// a reader waiting in the poller never hears of a connection closed under it:
			// the transport is told here
			if q.broken != nil {
				q.broken(err)
			}
		}
	}
}

// closeAfterFlush refuses further frames and runs done once what is queued has been written,
// giving the writes timeout to finish; at once when nothing is queued. When it is called
// again before the writes end, both dones run, in order.
func (q *frameQueue) closeAfterFlush(timeout time.Duration, done func()) {
	q.mu.Lock()
	q.closing = true
	if !q.writing {
		q.closed = true
		q.mu.Unlock()
		done()
		return
	}
	if prev := q.after; prev != nil {
		q.after = func() { prev(); done() }
	} else {
		q.after = done
	}
	if q.closed {
		timeout = 0 // overflowed or broken: nothing more is written, end the write in flight
	}
	_ = q.conn.SetWriteDeadline(time.Now().Add(timeout))
	q.mu.Unlock()
}

// drop refuses further frames and discards the queued ones (the connection is gone).
func (q *frameQueue) drop() {
	q.mu.Lock()
	q.closed = true
	q.release(q.pending)
	q.pending, q.queued = nil, 0
	q.mu.Unlock()
}

// maxFrameHeader is the longest header of a server's websocket frame (RFC 6455 §5.2: no mask).
const maxFrameHeader = 10

// WebSocket opcodes (RFC 6455 §5.2).
const (
	opText   = 0x1
	opBinary = 0x2
)

// appendFrameHeader appends the header of a final, unmasked frame carrying n bytes.
func appendFrameHeader(b []byte, opcode byte, n int) []byte {
	b = append(b, 0x80|opcode)
	switch {
	case n <= 125:
		return append(b, byte(n))
	case n <= 0xffff:
		b = append(b, 126)
		return binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 127)
		return binary.BigEndian.AppendUint64(b, uint64(n))
	}
}
