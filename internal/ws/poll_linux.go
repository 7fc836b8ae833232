//go:build linux

package ws

import (
	"errors"
	"io"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The poller watches idle websocket connections with an epoll set of its own and reads a
// connection only when it has something to read, on a worker goroutine. The epoll set is
// itself waited on through Go's runtime poller (its descriptor is readable while events are
// ready), so waiting costs no thread, and the set closes when no connection is left in it,
// with its goroutine: nothing of the poller outlives the connections it watches.
//
// Each connection is registered one-shot: once reported ready it is not reported again until
// its worker has read what it held and re-arms it, so one connection is never read by two
// workers at once and its messages keep their order.
type poller struct {
	mu  sync.Mutex
	set *epollSet // nil when no connection is watched
	// work hands a ready connection to a worker that waits for one; when none waits, a new
	// worker starts
	work chan *Reader
}

// pollState is what the poller keeps of one connection.
type pollState struct {
	set *epollSet
	id  uint64
	// the read syscall's arguments and results, as fields so that the raw read function is
	// made once per connection (when it is registered) instead of once per read
	readFn func(fd uintptr) bool
	rb     []byte
	rn     int
	rerr   error
}

// epollSet is one epoll instance and the connections registered in it.
type epollSet struct {
	p       *poller
	file    *os.File
	fd      int
	readers map[uint64]*Reader // by the id carried in their events
	nextID  uint64
	closed  bool
}

// workerIdle is how long a worker waits for another ready connection before it ends.
const workerIdle = 200 * time.Millisecond

// pollEvents are the events a connection is registered for: readable or hung up, one-shot.
const pollEvents = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT

// pollEvent is the registration of the connection with id: pollEvents, and the id in the
// event's 64 bits of user data (which Go's EpollEvent splits in two).
func pollEvent(id uint64) unix.EpollEvent {
	return unix.EpollEvent{Events: pollEvents, Fd: int32(id), Pad: int32(id >> 32)}
}

// pollID is the id pollEvent put in ev.
func pollID(ev unix.EpollEvent) uint64 {
	return uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
}

var thePoller = &poller{work: make(chan *Reader)}

// watch starts reading r: registered with the poller, or on the calling goroutine when there
// is no poller.
func watch(r *Reader) {
	if noPoller.Load() || !thePoller.add(r) {
		r.readLoop()
	}
}

// add registers r; false when the poller cannot watch it (then it is read by readLoop).
func (p *poller) add(r *Reader) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.set == nil {
		s, err := p.open()
		if err != nil {
			return false
		}
		p.set = s
	}
	s := p.set
	s.nextID++
	id := s.nextID
	ev := pollEvent(id)
	var err error
	if cerr := r.rc.Control(func(fd uintptr) { err = unix.EpollCtl(s.fd, unix.EPOLL_CTL_ADD, int(fd), &ev) }); cerr != nil {
		err = cerr
	}
	if err != nil {
		p.closeIfEmpty(s)
		return false
	}
	r.set, r.id = s, id
	r.readFn = r.rawRead
	s.readers[id] = r
	if r.ended.Load() { // closed before it was registered: unwatch found nothing to remove
		delete(s.readers, id)
		p.closeIfEmpty(s)
	}
	return true
}

// open makes an epoll set and starts its goroutine.
func (p *poller) open() (*epollSet, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		_ = unix.Close(fd)
		return nil, err
	}
	s := &epollSet{p: p, file: os.NewFile(uintptr(fd), "ioroute-epoll"), fd: fd, readers: map[uint64]*Reader{}}
	rc, err := s.file.SyscallConn()
	if err != nil {
		_ = s.file.Close()
		return nil, err
	}
	go s.wait(rc)
	return s, nil
}

// wait hands every connection reported ready to a worker, until the set is closed.
func (s *epollSet) wait(rc syscall.RawConn) {
	events := make([]unix.EpollEvent, 128)
	var batch []*Reader
	var n int
	var werr error
	ready := func(fd uintptr) bool {
		n, werr = unix.EpollWait(int(fd), events, 0)
		if werr == unix.EINTR {
			n, werr = 0, nil
			return true
		}
		return n > 0 || werr != nil
	}
	for {
		if err := rc.Read(ready); err != nil || werr != nil {
			return // the set was closed
		}
		s.p.mu.Lock()
		batch = batch[:0]
		for _, ev := range events[:n] {
			if r := s.readers[pollID(ev)]; r != nil {
				batch = append(batch, r)
			}
		}
		s.p.mu.Unlock()
		for i, r := range batch {
			s.p.dispatch(r)
			batch[i] = nil
		}
	}
}

// dispatch gives a ready connection to a waiting worker, or to a new one.
func (p *poller) dispatch(r *Reader) {
	select {
	case p.work <- r:
	default:
		go p.worker(r)
	}
}

// worker reads ready connections until none comes for workerIdle.
func (p *poller) worker(r *Reader) {
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		if r.turn() {
			p.rearm(r)
		}
		idle.Reset(workerIdle)
		select {
		case r = <-p.work:
		case <-idle.C:
			return
		}
	}
}

// rearm has the poller report r again once it has something to read (at once if it has).
func (p *poller) rearm(r *Reader) {
	ev := pollEvent(r.id)
	_ = r.rc.Control(func(fd uintptr) { _ = unix.EpollCtl(r.set.fd, unix.EPOLL_CTL_MOD, int(fd), &ev) })
}

// remove forgets r, whose connection is closing; the set closes when it was the last.
func (p *poller) remove(r *Reader) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.set == nil {
		return
	}
	delete(r.set.readers, r.id)
	p.closeIfEmpty(r.set)
}

// closeIfEmpty closes s, and ends its goroutine, when no connection is left in it.
func (p *poller) closeIfEmpty(s *epollSet) {
	if len(s.readers) > 0 || s.closed {
		return
	}
	s.closed = true
	if p.set == s {
		p.set = nil
	}
	_ = s.file.Close()
}

// unwatch stops the poller watching r.
func unwatch(r *Reader) { thePoller.remove(r) }

// readNow reads what the socket holds without waiting: errAgain when it holds nothing.
func (r *Reader) readNow(b []byte) (int, error) {
	r.rb = b
	if err := r.rc.Read(r.readFn); err != nil {
		return 0, err
	}
	r.rb = nil
	switch {
	case r.rerr == syscall.EAGAIN:
		return 0, errAgain
	case r.rerr != nil:
		return 0, r.rerr
	case r.rn == 0:
		return 0, io.EOF
	}
	return r.rn, nil
}

// rawRead is the read syscall under the connection's lock (RawConn.Read); it never waits.
func (r *Reader) rawRead(fd uintptr) bool {
	for {
		r.rn, r.rerr = syscall.Read(int(fd), r.rb)
		if r.rerr != syscall.EINTR {
			break
		}
	}
	if r.rn < 0 {
		r.rn = 0
	}
	return true
}

// turn reads what a ready connection holds, a bounded number of times, and reports whether
// the connection is to be watched again (false: its reading ended).
func (r *Reader) turn() bool {
	r.turning.Lock()
	defer r.turning.Unlock()
	for range 8 {
		err := r.feed(r.readNow)
		switch {
		case err == nil:
		case errors.Is(err, errAgain):
			return true
		default:
			r.h.ReadEnded(err)
			return false
		}
	}
	return true
}
