package router

import (
	"encoding/binary"
	"net"
	"sync"
	"time"
)

// frameQueue is one websocket connection's outgoing bytes: complete frames, appended by
// whoever sends and written by one writer goroutine, which takes everything queued at once
// into a single write(2). While a write is in flight the next frames gather behind it, so
// the busier the connection, the bigger the batches.
//
// It is bounded: once more than limit bytes wait, the queue drops them, refuses more and calls
// overflow, which disconnects the client. The writer goroutine runs only while there is
// something to write, so an idle connection holds no goroutine and, after a burst, no big
// buffer.
type frameQueue struct {
	conn     net.Conn
	limit    int
	overflow func(queued int) // called once, on its own goroutine

	mu      sync.Mutex
	pending []byte // frames not yet handed to the writer
	spare   []byte // the writer's buffer, reused between batches
	writing bool   // the writer goroutine runs
	closing bool   // no more frames are accepted; the queued ones still go out
	closed  bool   // nothing more is accepted or written (overflow, write error, gone)
	after   func() // runs once the writer is done (closeAfterFlush)
}

// keepBuffer is the largest buffer kept between batches; bigger ones go back to the GC, so a
// burst does not pin memory on an idle connection.
const keepBuffer = 64 << 10

func newFrameQueue(conn net.Conn, limit int, overflow func(queued int)) *frameQueue {
	return &frameQueue{conn: conn, limit: limit, overflow: overflow}
}

// push queues one frame: a final, unmasked frame of the given opcode around payload, whose
// first byte (the Engine.IO packet type), when prefix is not 0, is prefix. It reports false
// when the frame was dropped because the queue is closed or overflowed.
func (q *frameQueue) push(opcode byte, prefix byte, payload []byte) bool {
	n := len(payload)
	if prefix != 0 {
		n++
	}
	q.mu.Lock()
	if q.closed || q.closing {
		q.mu.Unlock()
		return false
	}
	if len(q.pending)+n+maxFrameHeader > q.limit {
		queued := len(q.pending)
		q.closed, q.pending = true, nil
		q.mu.Unlock()
		go q.overflow(queued)
		return false
	}
	q.pending = appendFrameHeader(q.pending, opcode, n)
	if prefix != 0 {
		q.pending = append(q.pending, prefix)
	}
	q.pending = append(q.pending, payload...)
	start := !q.writing
	q.writing = true
	q.mu.Unlock()
	if start {
		go q.write()
	}
	return true
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
	for {
		q.mu.Lock()
		if q.closed || len(q.pending) == 0 {
			q.writing = false
			if cap(q.pending) > keepBuffer {
				q.pending = nil
			}
			after := q.after
			q.after = nil
			q.mu.Unlock()
			if after != nil {
				after()
			}
			return
		}
		batch := q.pending
		q.pending = q.spare[:0]
		q.mu.Unlock()

		_, err := q.conn.Write(batch)

		q.mu.Lock()
		if cap(batch) <= keepBuffer {
			q.spare = batch[:0]
		} else {
			q.spare = nil
		}
		if err != nil {
			// the reader sees the broken connection too and closes the transport
			q.closed, q.pending, q.spare = true, nil, nil
			_ = q.conn.Close()
		}
		q.mu.Unlock()
	}
}

// closeAfterFlush refuses further frames and runs done once what is queued has been written,
// giving the writes timeout to finish; at once when nothing is queued.
func (q *frameQueue) closeAfterFlush(timeout time.Duration, done func()) {
	q.mu.Lock()
	q.closing = true
	if !q.writing {
		q.closed = true
		q.mu.Unlock()
		done()
		return
	}
	q.after = done
	if q.closed {
		timeout = 0 // overflowed or broken: nothing more is written, end the write in flight
	}
	_ = q.conn.SetWriteDeadline(time.Now().Add(timeout))
	q.mu.Unlock()
}

// drop refuses further frames and discards the queued ones (the connection is gone).
func (q *frameQueue) drop() {
	q.mu.Lock()
	q.closed, q.pending, q.spare = true, nil, nil
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
