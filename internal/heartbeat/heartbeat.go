// Package heartbeat runs the heartbeats of many sessions on one timer. A timer per session
// would do too, but the engine's timers each hold a goroutine blocked on its channel, with
// its stack (2 KiB at least) and the timer's objects, for every idle connection; here an idle
// session costs one small entry in a heap ordered by time, and the process one runtime timer,
// armed for the earliest entry, whose callback runs only when something is due.
package heartbeat

import (
	"container/heap"
	"sync"
	"time"
)

// Session is what a Scheduler calls when a session's time comes.
type Session interface {
	// Due is called, on the scheduler's callback goroutine, once the time the session asked
	// for has come: it does what is due (sends a ping, ends a session that went quiet) and
	// returns when it is to be called next, or the zero time to leave the scheduler. It must
	// not block: work that may wait goes on a goroutine of its own.
	Due(now time.Time) time.Time
}

// Entry is one session in a Scheduler.
type Entry struct {
	s   Session
	due time.Time
	// i is the entry's index in the heap; -1 while it is out of it (being called, or removed)
	i       int
	removed bool
	// early is a time that Sooner asked for while the entry was being called
	early time.Time
}

// Scheduler calls its sessions at the times they ask for, on one runtime timer.
type Scheduler struct {
	mu    sync.Mutex
	h     entries
	timer *time.Timer // armed for the earliest entry; nil before the first
	armed time.Time   // when the timer fires; zero when it is not armed
	now   func() time.Time
}

// New makes an empty scheduler.
func New() *Scheduler { return &Scheduler{now: time.Now} }

// Add schedules s to be called at due.
func (s *Scheduler) Add(sess Session, due time.Time) *Entry {
	e := &Entry{s: sess, due: due, i: -1}
	s.mu.Lock()
	heap.Push(&s.h, e)
	s.arm()
	s.mu.Unlock()
	return e
}

// Remove takes e out: its session is not called again (a call already running finishes).
func (s *Scheduler) Remove(e *Entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.removed = true
	if e.i >= 0 {
		heap.Remove(&s.h, e.i)
		s.arm()
	}
}

// Sooner brings e's next call forward to t, when t is earlier than the time it is due.
func (s *Scheduler) Sooner(e *Entry, t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case e.removed:
	case e.i < 0: // being called: its next time is not known yet
		if e.early.IsZero() || t.Before(e.early) {
			e.early = t
		}
	case t.Before(e.due):
		e.due = t
		heap.Fix(&s.h, e.i)
		s.arm()
	}
}

// Len is the number of sessions scheduled.
func (s *Scheduler) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.h.Len()
}

// arm sets the timer for the earliest entry (s.mu held).
func (s *Scheduler) arm() {
	if s.h.Len() == 0 {
		if s.timer != nil {
			s.timer.Stop()
		}
		s.armed = time.Time{}
		return
	}
	first := s.h[0].due
	if !s.armed.IsZero() && !first.Before(s.armed) {
		return // the timer fires before (or when) the first is due; fire re-arms it
	}
	s.armed = first
	d := max(first.Sub(s.now()), 0)
	if s.timer == nil {
		s.timer = time.AfterFunc(d, s.fire)
	} else {
		s.timer.Reset(d)
	}
}

// fire calls every session whose time has come, outside the lock, and schedules their next
// calls.
func (s *Scheduler) fire() {
	now := s.now()
	s.mu.Lock()
	var due []*Entry
	for s.h.Len() > 0 && !s.h[0].due.After(now) {
		due = append(due, heap.Pop(&s.h).(*Entry))
	}
	s.armed = time.Time{}
	s.arm()
	s.mu.Unlock()

	for _, e := range due {
		next := e.s.Due(now)
		s.mu.Lock()
		if !next.IsZero() && !e.early.IsZero() && e.early.Before(next) {
			next = e.early
		}
		e.early = time.Time{}
		if !e.removed && !next.IsZero() {
			e.due = next
			heap.Push(&s.h, e)
			s.arm()
		} else {
			e.removed = true
		}
		s.mu.Unlock()
	}
}

// entries is a min-heap of entries by due time.
type entries []*Entry

func (h entries) Len() int           { return len(h) }
func (h entries) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h entries) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].i, h[j].i = i, j
}
func (h *entries) Push(x any) {
	e := x.(*Entry)
	e.i = len(*h)
	*h = append(*h, e)
}
func (h *entries) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	e.i = -1
	*h = old[:len(old)-1]
	return e
}
