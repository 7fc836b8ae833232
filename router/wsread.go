package router

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
)

// wsReader reads one websocket connection: bytes from the socket, frames out of them (a
// wsParser) and whole messages into the transport.
//
// Where the system allows it (Linux), the connection is watched by a poller and read only
// when it has something: an idle connection then has no goroutine and no buffer, where a
// blocking read would hold both for the connection's whole life. Elsewhere one goroutine per
// connection reads with a small buffer of its own (readLoop).
type wsReader struct {
	t    *wsTransport
	conn *net.TCPConn
	rc   syscall.RawConn
	p    wsParser
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

// newWSReader makes the reader of one connection, whose messages may be limit bytes long.
func newWSReader(t *wsTransport, conn *net.TCPConn, rc syscall.RawConn, limit int64) *wsReader {
	return &wsReader{t: t, conn: conn, rc: rc, p: wsParser{limit: limit}}
}

// errAgain reports that a non-blocking read found nothing to read.
var errAgain = errors.New("nothing to read")

// minRest is the smallest buffer kept for an incomplete frame.
const minRest = 512

// feed reads once with read, into rest or else into a pooled chunk, and hands every complete
// frame to the transport. A non-nil error ends the connection's reading: io.EOF, a read
// error, or a *wsError; errAgain means there was nothing to read.
func (r *wsReader) feed(read func([]byte) (int, error)) error {
	buf, pooled := r.rest, false
	if buf == nil {
		buf, pooled = (*chunks.Get().(*[]byte))[:0], true
	}
	n, err := read(buf[len(buf):cap(buf)])
	if n > 0 {
		buf = buf[:len(buf)+n]
		used, need, perr := r.p.parse(buf, r.t)
		r.keep(buf[used:], need, pooled)
		if perr != nil {
			err = perr
		}
	}
	if pooled {
		c := buf[:0]
		chunks.Put(&c)
	}
	return err
}

// keep carries the bytes of an incomplete frame over to the next read, in a buffer that can
// hold need bytes (the whole frame, when its header is in).
func (r *wsReader) keep(rest []byte, need int, pooled bool) {
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
func (r *wsReader) readLoop() {
	buf := make([]byte, 0, 2048)
	for {
		if r.rest == nil {
			r.rest = buf
		}
		if err := r.feed(r.conn.Read); err != nil {
			r.t.readEnded(err)
			return
		}
	}
}
