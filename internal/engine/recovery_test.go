package engine

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zishang520/socket.io/parsers/socket/v3/parser"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// recoveryAdapter is the root namespace's adapter of a server with recovery on.
func recoveryAdapter(t *testing.T, window time.Duration, maxBytes int) (*broadcastAdapter, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	opts := sio.DefaultServerOptions()
	TuneEngine(opts, nil)
	EnableRecovery(opts, Recovery{MaxDisconnection: window, MaxBytes: maxBytes, Log: slog.New(slog.NewTextHandler(logs, nil))})
	srv := sio.NewServer(nil, opts)
	t.Cleanup(func() { srv.Close(nil) })
	a, ok := srv.Sockets().Adapter().(*broadcastAdapter)
	if !ok || a.rec == nil {
		t.Fatalf("adapter %T has no recovery store", srv.Sockets().Adapter())
	}
	return a, logs
}

func event(args ...any) *parser.Packet { return &parser.Packet{Type: parser.EVENT, Data: args} }

func lastArg(p *parser.Packet) any {
	d := p.Data.([]any)
	return d[len(d)-1]
}

func to(rooms ...sio.Room) *sio.BroadcastOptions {
	return &sio.BroadcastOptions{Rooms: types.NewSet(rooms...), Except: types.NewSet[sio.Room]()}
}

func TestRecoveryOffsets(t *testing.T) {
	a, _ := recoveryAdapter(t, time.Minute, 1<<20)
	p := event("msg", "hi")
	a.Broadcast(p, nil)
	if got := lastArg(p); got != "1" || len(p.Data.([]any)) != 3 {
		t.Fatalf("stored event data %v, want the offset \"1\" appended", p.Data)
	}
	id := uint64(7)
	acked := event("msg", "hi")
	acked.Id = &id
	a.Broadcast(acked, nil)
	volatile := event("msg", "hi")
	a.Broadcast(volatile, &sio.BroadcastOptions{Flags: &sio.BroadcastFlags{WriteOptions: sio.WriteOptions{Volatile: true}}})
	for _, q := range []*parser.Packet{acked, volatile} {
		if len(q.Data.([]any)) != 2 {
			t.Fatalf("an acknowledged or volatile event got an offset: %v", q.Data)
		}
	}
	if n := a.rec.packets.n; n != 1 {
		t.Fatalf("%d packets stored, want 1", n)
	}
}

func TestRecoverySessionSingleUse(t *testing.T) {
	a, _ := recoveryAdapter(t, time.Minute, 1<<20)
	first := event("msg", 0)
	a.Broadcast(first, nil)
	a.PersistSession(&sio.SessionToPersist{Sid: "sid1", Pid: "pid1", Rooms: types.NewSet[sio.Room]("sid1", "r"), Data: map[string]any{"n": 1}})
	a.Broadcast(event("msg", 1), to("r"))
	a.Broadcast(event("msg", 2), to("x"))
	a.Broadcast(event("msg", 3), &sio.BroadcastOptions{Except: types.NewSet[sio.Room]("r")})
	a.Broadcast(event("msg", 4), to("sid1"))

	for _, bad := range []struct{ pid, offset string }{
		{"nobody", lastArg(first).(string)}, // forged pid
		{"pid1", "!!"},                      // malformed offset: the session is used up
	} {
		if s, _ := a.RestoreSession(sio.PrivateSessionId(bad.pid), bad.offset); s != nil {
			t.Fatalf("pid %q offset %q restored %+v", bad.pid, bad.offset, s)
		}
	}
	a.PersistSession(&sio.SessionToPersist{Sid: "sid1", Pid: "pid1", Rooms: types.NewSet[sio.Room]("sid1", "r"), Data: map[string]any{"n": 1}})
	if s, _ := a.RestoreSession("pid1", "zzzz"); s != nil {
		t.Fatal("an offset from the future restored the session")
	}
	a.PersistSession(&sio.SessionToPersist{Sid: "sid1", Pid: "pid1", Rooms: types.NewSet[sio.Room]("sid1", "r"), Data: map[string]any{"n": 1}})
	s, err := a.RestoreSession("pid1", lastArg(first).(string))
	if err != nil || s == nil || s.Sid != "sid1" || !s.Rooms.Has("r") || len(s.MissedPackets) != 0 {
		t.Fatalf("restored %+v, %v: want sid1 in r, missed packets left to CatchUp", s, err)
	}
	if again, _ := a.RestoreSession("pid1", lastArg(first).(string)); again != nil {
		t.Fatal("a pid restored twice")
	}
	p := a.rec.pending[pendingKey{"/", "sid1"}]
	if p == nil {
		t.Fatal("the restored session is not pending its catch-up")
	}
	var missed []any
	a.rec.packets.each(func(sp *storedPacket) {
		if sp.seq > p.offset && sp.includes(p.rooms) {
			missed = append(missed, sp.seq)
		}
	})
	if want := []any{uint64(2), uint64(5)}; len(missed) != 2 || missed[0] != want[0] || missed[1] != want[1] {
		t.Fatalf("missed %v, want the packets to r and to the socket (2, 5), not to x or excepting r", missed)
	}
}

func TestRecoveryExpiry(t *testing.T) {
	a, _ := recoveryAdapter(t, 50*time.Millisecond, 1<<20)
	first := event("msg", 0)
	a.Broadcast(first, nil)
	a.PersistSession(&sio.SessionToPersist{Sid: "s", Pid: "p", Rooms: types.NewSet[sio.Room]("s")})
	time.Sleep(80 * time.Millisecond)
	a.Broadcast(event("msg", 1), nil)
	if n := a.rec.packets.n; n != 1 {
		t.Fatalf("%d packets kept, want 1: older than the window are dropped", n)
	}
	if s, _ := a.RestoreSession("p", lastArg(first).(string)); s != nil {
		t.Fatal("an expired session was restored")
	}
}

func TestRecoveryBytesCap(t *testing.T) {
	a, logs := recoveryAdapter(t, time.Minute, 4096)
	first := event("msg", strings.Repeat("x", 100))
	a.Broadcast(first, nil)
	a.PersistSession(&sio.SessionToPersist{Sid: "s", Pid: "p", Rooms: types.NewSet[sio.Room]("s")})
	for i := range 200 {
		a.Broadcast(event("msg", i, strings.Repeat("x", 100)), nil)
	}
	if a.rec.bytes > 4096 || a.rec.dropped == 0 {
		t.Fatalf("kept %d bytes (dropped through %d), want at most 4096", a.rec.bytes, a.rec.dropped)
	}
	if !strings.Contains(logs.String(), "recovery_bytes") {
		t.Fatalf("no log line for the drop: %q", logs.String())
	}
	if s, _ := a.RestoreSession("p", lastArg(first).(string)); s != nil {
		t.Fatal("restored although packets after the offset were dropped")
	}
	SetRecoveryLimits(a.Nsp(), 1024, 0) // a reload lowers the cap
	a.Broadcast(event("msg", "after"), nil)
	if a.rec.bytes > 1024 {
		t.Fatalf("kept %d bytes after the cap was lowered to 1024", a.rec.bytes)
	}
}

func TestPacketLog(t *testing.T) {
	var l packetLog
	next, first := uint64(1), uint64(1)
	for round := range 5 {
		for range 300 + round*200 {
			l.push(storedPacket{seq: next})
			next++
		}
		for range 250 + round*100 {
			if l.front().seq != first {
				t.Fatalf("front %d, want %d", l.front().seq, first)
			}
			l.popFront()
			first++
		}
		var seen []uint64
		l.each(func(p *storedPacket) { seen = append(seen, p.seq) })
		if uint64(len(seen)) != next-first || l.n != len(seen) || (len(seen) > 0 && (seen[0] != first || seen[len(seen)-1] != next-1)) {
			t.Fatalf("round %d: %d packets from %v, want %d from %d", round, len(seen), seen[:min(3, len(seen))], next-first, first)
		}
	}
	for l.n > 0 {
		l.popFront()
	}
	if len(l.blocks) != 0 {
		t.Fatalf("%d blocks left in an empty log", len(l.blocks))
	}
}

func TestRecoverySessionsCap(t *testing.T) {
	logs := &syncBuffer{}
	opts := sio.DefaultServerOptions()
	TuneEngine(opts, nil)
	EnableRecovery(opts, Recovery{MaxDisconnection: time.Minute, MaxBytes: 1 << 20, MaxSessions: 2, Log: slog.New(slog.NewTextHandler(logs, nil))})
	srv := sio.NewServer(nil, opts)
	t.Cleanup(func() { srv.Close(nil) })
	a := srv.Sockets().Adapter().(*broadcastAdapter)
	for _, id := range []string{"a", "b", "c"} {
		a.PersistSession(&sio.SessionToPersist{Sid: sio.SocketId(id), Pid: sio.PrivateSessionId(id), Rooms: types.NewSet[sio.Room]()})
	}
	if len(a.rec.sessions) != 2 || a.rec.sessions["c"] != nil {
		t.Fatalf("%d sessions kept (c: %v), want a and b only", len(a.rec.sessions), a.rec.sessions["c"] != nil)
	}
	if !strings.Contains(logs.String(), "max_connections") {
		t.Fatalf("no log line: %q", logs.String())
	}
}
