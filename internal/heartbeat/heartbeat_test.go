package heartbeat

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// wait bounds how long a test waits for a call that must come.
const wait = 10 * time.Second

// recorder is a session that reports its calls on a channel and asks to be called again
// after each of its delays, then leaves.
type recorder struct {
	name   string
	calls  chan<- string
	mu     sync.Mutex
	delays []time.Duration
}

func (r *recorder) Due(now time.Time) time.Time {
	r.calls <- r.name
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.delays) == 0 {
		return time.Time{}
	}
	d := r.delays[0]
	r.delays = r.delays[1:]
	return now.Add(d)
}

// next waits for the next call.
func next(t *testing.T, calls <-chan string) string {
	t.Helper()
	select {
	case c := <-calls:
		return c
	case <-time.After(wait):
		t.Fatal("no call came")
		return ""
	}
}

func TestScheduler(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, s *Scheduler, calls chan string)
		want []string
	}{
		{"sessions are called in the order of their times", func(t *testing.T, s *Scheduler, calls chan string) {
			now := time.Now()
			s.Add(&recorder{name: "c", calls: calls}, now.Add(60*time.Millisecond))
			s.Add(&recorder{name: "a", calls: calls}, now.Add(20*time.Millisecond))
			s.Add(&recorder{name: "b", calls: calls}, now.Add(40*time.Millisecond))
		}, []string{"a", "b", "c"}},
		{"a session is called again at the time it returns, until it leaves", func(t *testing.T, s *Scheduler, calls chan string) {
			s.Add(&recorder{name: "r", calls: calls, delays: []time.Duration{time.Millisecond, 0, 5 * time.Millisecond}}, time.Now())
		}, []string{"r", "r", "r", "r"}},
		{"a removed session is not called", func(t *testing.T, s *Scheduler, calls chan string) {
			now := time.Now()
			gone := s.Add(&recorder{name: "gone", calls: calls}, now.Add(time.Hour))
			s.Add(&recorder{name: "kept", calls: calls}, now.Add(50*time.Millisecond))
			s.Remove(gone)
			s.Sooner(gone, now) // a removed session is not brought back
		}, []string{"kept"}},
		{"sooner brings a call forward", func(t *testing.T, s *Scheduler, calls chan string) {
			now := time.Now()
			late := s.Add(&recorder{name: "late", calls: calls}, now.Add(time.Hour))
			s.Add(&recorder{name: "marker", calls: calls}, now.Add(30*time.Millisecond))
			s.Sooner(late, now)
		}, []string{"late", "marker"}},
		{"sooner never puts a call off", func(t *testing.T, s *Scheduler, calls chan string) {
			now := time.Now()
			e := s.Add(&recorder{name: "first", calls: calls}, now.Add(10*time.Millisecond))
			s.Add(&recorder{name: "second", calls: calls}, now.Add(40*time.Millisecond))
			s.Sooner(e, now.Add(time.Hour))
		}, []string{"first", "second"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := New()
			calls := make(chan string, 16)
			c.run(t, s, calls)
			for i, want := range c.want {
				if got := next(t, calls); got != want {
					t.Fatalf("call %d: %s, want %s", i, got, want)
				}
			}
			if n := s.Len(); n != 0 {
				t.Fatalf("%d sessions left scheduled", n)
			}
			select {
			case extra := <-calls:
				t.Fatalf("unexpected call of %s", extra)
			default:
			}
		})
	}
}

// sooner is a session that, when first called, is brought forward from within its own call,
// as a pong read while its ping is being sent is; it must be called again at that time.
type sooner struct {
	s     *Scheduler
	e     atomic.Pointer[Entry]
	calls chan<- int
	n     int
}

func (r *sooner) Due(now time.Time) time.Time {
	r.n++
	r.calls <- r.n
	if r.n == 1 {
		r.s.Sooner(r.e.Load(), now) // while being called
		return now.Add(time.Hour)
	}
	return time.Time{}
}

func TestSoonerDuringCall(t *testing.T) {
	s := New()
	calls := make(chan int, 4)
	r := &sooner{s: s, calls: calls}
	r.e.Store(s.Add(r, time.Now().Add(20*time.Millisecond)))
	for want := 1; want <= 2; want++ {
		select {
		case got := <-calls:
			if got != want {
				t.Fatalf("call %d, want %d", got, want)
			}
		case <-time.After(wait):
			t.Fatalf("call %d never came: a Sooner during a call was lost", want)
		}
	}
	if n := s.Len(); n != 0 {
		t.Fatalf("%d sessions left scheduled", n)
	}
}
