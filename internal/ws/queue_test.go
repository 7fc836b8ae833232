package ws

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// queuePair is a Queue on the server side of a real websocket connection, and the
// websocket client reading it.
func queuePair(t *testing.T, limit int, overflow func(int)) (*Queue, *websocket.Conn) {
	t.Helper()
	conns := make(chan net.Conn, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			t.Error(err)
			return
		}
		conns <- ws.UnderlyingConn()
	}))
	t.Cleanup(srv.Close)
	client, _, err := websocket.DefaultDialer.Dial(strings.Replace(srv.URL, "http", "ws", 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	conn := <-conns
	t.Cleanup(func() { conn.Close() })
	return NewQueue(conn, limit, overflow, nil), client
}

// TestFrameQueueFramesInOrder: frames of every length form, text and binary, arrive whole and
// in order, and a frame larger than the limit still goes out when nothing else waits.
func TestFrameQueueFramesInOrder(t *testing.T) {
	q, client := queuePair(t, 150_000, func(int) { t.Error("overflow") })
	type frame struct {
		op      Opcode
		prefix  byte
		payload []byte
	}
	frames := []frame{
		{OpText, '4', []byte(`["a"]`)},
		{OpText, 0, bytes.Repeat([]byte("b"), 125)},
		{OpBinary, 0, bytes.Repeat([]byte{1}, 126)},
		{OpText, '4', bytes.Repeat([]byte("c"), 65_535)},
		{OpText, 0, bytes.Repeat([]byte("d"), 65_536)},
	}
	for _, f := range frames {
		if !q.Push(f.op, f.prefix, f.payload) {
			t.Fatal("push refused")
		}
	}
	// wait until the queue is empty, then a frame bigger than the limit
	for q.Busy() {
		time.Sleep(time.Millisecond)
	}
	big := frame{OpText, 0, bytes.Repeat([]byte("e"), 200_000)}
	if !q.Push(big.op, big.prefix, big.payload) {
		t.Fatal("a large frame into an empty queue was refused")
	}
	frames = append(frames, big)
	_ = client.SetReadDeadline(time.Now().Add(10 * time.Second))
	for i, f := range frames {
		mt, got, err := client.ReadMessage()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		want := f.payload
		if f.prefix != 0 {
			want = append([]byte{f.prefix}, want...)
		}
		if mt != int(f.op) || !bytes.Equal(got, want) {
			t.Fatalf("frame %d: type %d, %d bytes; want type %d, %d bytes", i, mt, len(got), f.op, len(want))
		}
	}
}

// TestFrameQueueCloseAfterFlush: what was queued before closing is written before done runs,
// and nothing is accepted after.
func TestFrameQueueCloseAfterFlush(t *testing.T) {
	q, client := queuePair(t, 1<<20, func(int) { t.Error("overflow") })
	for range 100 {
		q.Push(OpText, '4', bytes.Repeat([]byte("x"), 1000))
	}
	done := make(chan struct{})
	q.CloseAfterFlush(5*time.Second, func() { close(done) })
	if q.Push(OpText, '4', []byte("late")) {
		t.Fatal("a frame was accepted after closeAfterFlush")
	}
	_ = client.SetReadDeadline(time.Now().Add(10 * time.Second))
	for i := range 100 {
		if _, msg, err := client.ReadMessage(); err != nil || len(msg) != 1001 {
			t.Fatalf("frame %d: %d bytes, %v", i, len(msg), err)
		}
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("done never ran")
	}
}

// TestFrameQueueReportsBrokenConnection: when the client has reset the connection, the
// failing write closes the connection and tells the owner, once; later frames are refused.
func TestFrameQueueReportsBrokenConnection(t *testing.T) {
	q, client := queuePair(t, 1<<20, func(int) { t.Error("overflow") })
	broken := make(chan error, 2)
	q.broken = func(err error) { broken <- err }
	tcp := client.UnderlyingConn().(*net.TCPConn)
	_ = tcp.SetLinger(0) // close with a reset
	_ = tcp.Close()
	deadline := time.After(5 * time.Second)
	for {
		if !q.Push(OpText, '4', []byte(`["after the reset"]`)) {
			break // refused: the queue knows the connection broke
		}
		select {
		case <-deadline:
			t.Fatal("writes to a reset connection never failed")
		case <-time.After(10 * time.Millisecond):
		}
	}
	select {
	case err := <-broken:
		if err == nil {
			t.Fatal("broken reported without an error")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the failed write was not reported")
	}
	if len(broken) != 0 {
		t.Fatal("reported twice")
	}
}
