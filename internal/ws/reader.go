package ws

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
)

// Handler receives what the client of one connection sends.
type Handler interface {
	// Message is one whole data message (text or binary); payload is the handler's to keep.
	Message(op Opcode, payload []byte)
	// Control is a ping, pong or close frame; payload is valid only during the call. The
	// handler answers it (a pong, a close) through the connection's Queue.
	Control(op Opcode, payload []byte)
	// ReadEnded is called once when reading ends: io.EOF when the client went, a read error,
	// or an *Error when the client broke the protocol (the client is owed a close frame with
	// its code).
	ReadEnded(err error)
}

// Reader reads one websocket connection: bytes from the socket, frames out of them (a
// parser) and whole messages into its Handler.
//
// Where the system allows it (Linux), the connection is watched by a poller and read only
// when it has something: an idle connection then has no goroutine and no buffer, where a
// blocking read would hold both for the connection's whole life. Elsewhere one goroutine per
// connection reads with a small buffer of its own (readLoop).
type Reader struct {
	h    Handler
	conn *net.TCPConn
	rc   syscall.RawConn
	p    parser
	// rest holds the bytes of a frame not yet complete, for the next read; nil when none.
	rest []byte

	// what the poller keeps of the connection (poll_linux.go)
	pollState
	// ended is set when the transport closes, before the poller is told to forget it
	ended atomic.Bool
	// turning is held while a worker reads the connection. The poller's one-shot events
	// already keep workers from reading one connection at once, but through the kernel, where
	// the race detector cannot see it; this lock makes that order visible (it is never
	// contended).
	turning sync.Mutex
}

// NewReader makes the reader of conn, whose messages may be limit bytes long. Nothing is read
// until Start.
func NewReader(h Handler, conn *net.TCPConn, limit int64) (*Reader, error) {
	rc, err := conn.SyscallConn()
	if err != nil {
		return nil, err
	}
	return &Reader{h: h, conn: conn, rc: rc, p: parser{limit: limit}}, nil
}

// Start reads the connection until it ends: registered with the poller, or on the calling
// goroutine where there is no poller (then Start returns only when reading ended).
func (r *Reader) Start() { watch(r) }

// Stop ends the reading of a connection that is closing: the poller forgets it. Stop may
// come before Start.
func (r *Reader) Stop() {
	r.ended.Store(true)
	unwatch(r)
}

// errAgain reports that a non-blocking read found nothing to read.
var errAgain = errors.New("nothing to read")

// minRest is the smallest buffer kept for an incomplete frame.
const minRest = 512

// feed reads once with read, into rest or else into a pooled chunk, and hands every complete
// frame to the handler. A non-nil error ends the connection's reading: io.EOF, a read
// error, or a *Error; errAgain means there was nothing to read.
func (r *Reader) feed(read func([]byte) (int, error)) error {
	buf, pooled := r.rest, false
	if buf == nil {
		buf, pooled = getChunk(), true
	}
	n, err := read(buf[len(buf):cap(buf)])
	if n > 0 {
		buf = buf[:len(buf)+n]
		used, need, perr := r.p.parse(buf, r.h)
		r.keep(buf[used:], need, pooled)
		if perr != nil {
			err = perr
		}
	}
	if pooled {
		putChunk(buf)
	}
	return err
}

// keep carries the bytes of an incomplete frame over to the next read, in a buffer that can
// hold need bytes (the whole frame, when its header is in).
func (r *Reader) keep(rest []byte, need int, pooled bool) {
	if len(rest) == 0 {
		r.rest = nil
		return
	}
	if !pooled && cap(r.rest) >= need && cap(r.rest) > len(rest) {
		r.rest = r.rest[:len(rest)]
		copy(r.rest, rest) // rest lies within r.rest: copy moves overlapping bytes correctly
		return
	}
	b := make([]byte, len(rest), max(need, minRest, len(rest)+1))
	copy(b, rest)
	r.rest = b
}

// readLoop reads the connection on the calling goroutine until it ends: the reading used
// where there is no poller. Its buffer is small, since it is held for the connection's life.
func (r *Reader) readLoop() {
	buf := make([]byte, 0, 2048)
	for {
		if r.rest == nil {
			r.rest = buf
		}
		if err := r.feed(r.conn.Read); err != nil {
			r.h.ReadEnded(err)
			return
		}
	}
}
