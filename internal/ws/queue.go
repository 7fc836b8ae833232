package ws

import (
	"net"
	"sync"
	"time"
)

// Queue is one websocket connection's outgoing bytes: complete frames, appended by
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
type Queue struct {
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
	after   func()      // runs once the writer is done (CloseAfterFlush)
}

// NewQueue makes the queue of conn. overflow is called once, on a goroutine of its own, when
// more than limit bytes would wait; broken is called by the writer when a write fails (the
// connection is closed by then).
func NewQueue(conn net.Conn, limit int, overflow func(queued int), broken func(error)) *Queue {
	return &Queue{conn: conn, limit: limit, overflow: overflow, broken: broken}
}

// Frame is one frame to queue: a final, unmasked frame of opcode Op whose payload is Prefix
// (when not 0: a protocol above, Engine.IO say, puts its packet type there) followed by
// Payload.
type Frame struct {
	Op      Opcode
	Prefix  byte
	Payload []byte
}

// Push queues one frame (see Frame). It reports false when the frame was dropped because the
// queue is closing, closed or overflowed.
func (q *Queue) Push(op Opcode, prefix byte, payload []byte) bool {
	f := [1]Frame{{op, prefix, payload}}
	return q.PushAll(f[:])
}

// PushAll queues frames one after another, with no other sender's frame between them: a
// Socket.IO packet with binary attachments is a text frame followed by its attachments, and
// a receiver fails on anything in between. All or none are queued: it reports false when
// they were dropped because the queue is closing, closed or overflowed.
func (q *Queue) PushAll(frames []Frame) bool {
	size := 0
	for _, f := range frames {
		size += f.size()
	}
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
	for _, f := range frames {
		q.append(f)
	}
	start := !q.writing
	q.writing = true
	q.mu.Unlock()
	if start {
		go q.write()
	}
	return true
}

// size is the most bytes f takes framed.
func (f Frame) size() int { return f.payloadLen() + maxFrameHeader }

func (f Frame) payloadLen() int {
	if f.Prefix != 0 {
		return len(f.Payload) + 1
	}
	return len(f.Payload)
}

// append frames f into the last chunk, or a new one when it does not fit. Called with mu held.
func (q *Queue) append(f Frame) {
	size := f.size()
	last := len(q.pending) - 1
	if last < 0 || cap(q.pending[last])-len(q.pending[last]) < size {
		var c []byte
		if size <= chunkSize {
			c = getChunk()
		} else {
			c = make([]byte, 0, size)
		}
		q.pending = append(q.pending, c)
		last++
	}
	c := q.pending[last]
	before := len(c)
	c = appendFrameHeader(c, f.Op, f.payloadLen())
	if f.Prefix != 0 {
		c = append(c, f.Prefix)
	}
	c = append(c, f.Payload...)
	q.pending[last] = c
	q.queued += len(c) - before
}

// release returns written or dropped chunks to the pool.
func (q *Queue) release(bufs net.Buffers) {
	for i, c := range bufs {
		putChunk(c)
		bufs[i] = nil
	}
}

// Busy tells whether frames are waiting or being written.
func (q *Queue) Busy() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.writing
}

// write is the writer goroutine: it writes everything queued, batch by batch, until nothing
// is left or a write fails.
func (q *Queue) write() {
	w := writers.Get().(*writer)
	q.drain(w)
	writers.Put(w)
}

// writer is what a writer goroutine works with, kept between goroutines so that its slices
// grow once instead of once per burst of writes. spare becomes the queue's pending list at
// the next batch and the queue's own list becomes spare, so no list is held by both; iov is
// the list handed to writev(2), and out the copy of it that the write consumes.
type writer struct{ spare, iov, out net.Buffers }

var writers = sync.Pool{New: func() any { return new(writer) }}

// drain writes batches until nothing is queued or a write fails.
func (q *Queue) drain(w *writer) {
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
		batch := q.pending
		q.pending, q.queued = w.spare[:0], 0
		q.mu.Unlock()

		// WriteTo consumes its receiver, clearing the slices it wrote and moving past them:
		// it gets out, a copy, so that iov keeps its array, and batch keeps the chunks to
		// give back
		w.iov = append(w.iov[:0], batch...)
		w.out = w.iov
		_, err := w.out.WriteTo(q.conn)
		clear(w.iov)
		w.out = nil
		q.release(batch)
		w.spare = batch[:0]

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

// CloseAfterFlush refuses further frames and runs done once what is queued has been written,
// giving the writes timeout to finish; at once when nothing is queued. When it is called
// again before the writes end, both dones run, in order.
func (q *Queue) CloseAfterFlush(timeout time.Duration, done func()) {
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

// Drop refuses further frames and discards the queued ones (the connection is gone).
func (q *Queue) Drop() {
	q.mu.Lock()
	q.closed = true
	q.release(q.pending)
	q.pending, q.queued = nil, 0
	q.mu.Unlock()
}
