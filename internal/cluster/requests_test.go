package cluster

import (
	"encoding/json"
	"errors"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	sio "github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/ioroute/ioroute/internal/cluster/wire"
	"github.com/ioroute/ioroute/internal/engine"
)

// count is the number of requests waiting.
func (r *pendingRequests) count() int {
	n := 0
	r.m.Range(func(any, any) bool { n++; return true })
	return n
}

// TestFetchShortTimeout: fetchSockets requests with a 1 ms timeout, answered (twice each) by
// a server that is sometimes in time and sometimes late, each end once, with every socket of
// the answer or with a timeout naming the silent server, and leave no request behind.
func TestFetchShortTimeout(t *testing.T) {
	c, err := New(noHost{}, Options{URL: "redis://127.0.0.1:1", Key: "socket.io", RequestsTimeout: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(0)
	stop := make(chan struct{})
	answering := make(chan struct{})
	go func() { // the other server: answers what this node queued for Redis, twice
		defer close(answering)
		for {
			select {
			case <-stop:
				return
			case m := <-c.out:
				req, err := wire.DecodeRequest(m.payload)
				if err != nil || req.Type != wire.ReqRemoteFetch {
					t.Errorf("queued %q: %v", m.payload, err)
					continue
				}
				answer, _ := json.Marshal(map[string]any{"requestId": req.RequestID, "sockets": []any{
					map[string]any{"id": "far", "rooms": []any{"far", "lobby"}, "data": map[string]any{"n": 1}, "handshake": map[string]any{}}}})
				c.onResponse(answer)
				c.onResponse(answer)
			}
		}
	}()
	const n, workers = 2000, 8
	local := []sio.SocketDetails{&remoteSocket{id: "near", rooms: types.NewSet[sio.Room]("near")}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	answered, timedOut := 0, 0
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				got, err := c.fetchRemote("/chat", wire.Opts{Rooms: []string{"lobby"}}, local, 1, time.Now().Add(time.Millisecond))
				var te *RequestTimeoutError
				switch {
				case err == nil:
					if len(got) != 2 || got[0].Id() != "near" || got[1].Id() != "far" {
						t.Errorf("fetch %d: got %v, want near and far", i, ids(got))
					}
					mu.Lock()
					answered++
					mu.Unlock()
				case errors.As(err, &te):
					if te.Missing != 1 || te.Asked != 1 || len(got) != 1 || got[0].Id() != "near" {
						t.Errorf("fetch %d: %v with %v, want 1 of 1 missing and near only", i, err, ids(got))
					}
					mu.Lock()
					timedOut++
					mu.Unlock()
				default:
					t.Errorf("fetch %d: %v", i, err)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-answering
	if left := c.requests.count(); left != 0 {
		t.Fatalf("%d requests left waiting", left)
	}
	t.Logf("%d answered in time, %d timed out", answered, timedOut)
}

func ids(sockets []sio.SocketDetails) []sio.SocketId {
	out := make([]sio.SocketId, len(sockets))
	for i, s := range sockets {
		out[i] = s.Id()
	}
	return out
}

// TestFetchEndsOnClose: a fetchSockets waiting for answers ends when the cluster closes, with
// the local sockets and an error, and its request is gone.
func TestFetchEndsOnClose(t *testing.T) {
	c, err := New(noHost{}, Options{URL: "redis://127.0.0.1:1", Key: "socket.io"})
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		sockets []sio.SocketDetails
		err     error
	}
	done := make(chan result, 1)
	go func() {
		s, err := c.fetchRemote("/chat", wire.Opts{}, nil, 2, time.Now().Add(time.Minute))
		done <- result{s, err}
	}()
	for c.requests.count() == 0 {
		time.Sleep(time.Millisecond)
	}
	c.Close(0)
	select {
	case r := <-done:
		if r.err == nil || !strings.Contains(r.err.Error(), "closing: 2 of the 2 other servers had not answered") {
			t.Fatalf("err = %v, want the cluster closing", r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the fetch still waits after Close")
	}
	if left := c.requests.count(); left != 0 {
		t.Fatalf("%d requests left waiting", left)
	}
}

// TestFetchWithoutRedis: when Redis refuses connections, or accepts them and never answers,
// fetchSockets returns this node's sockets and an error within its timeout.
func TestFetchWithoutRedis(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	conns.Add(1)
	go func() { // accepts, reads, never answers
		defer conns.Done()
		var held []net.Conn
		defer func() {
			for _, c := range held {
				_ = c.Close()
			}
		}()
		for {
			conn, err := silent.Accept()
			if err != nil {
				return
			}
			held = append(held, conn)
		}
	}()
	defer func() { _ = silent.Close(); conns.Wait() }()
	for _, url := range []string{"redis://127.0.0.1:1", "redis://" + silent.Addr().String()} {
		const timeout = 300 * time.Millisecond
		c, err := New(noHost{}, Options{URL: url, Key: "socket.io", RequestsTimeout: timeout})
		if err != nil {
			t.Fatal(err)
		}
		local := []sio.SocketDetails{&remoteSocket{id: "near"}}
		start := time.Now()
		got, err := c.fetchSockets("/chat", wire.Opts{}, local)
		took := time.Since(start)
		c.Close(0)
		if err == nil || !strings.Contains(err.Error(), "this server's sockets only: cannot count the servers of namespace /chat") {
			t.Errorf("%s: err = %v, want the count failing", url, err)
		}
		if len(got) != 1 || got[0].Id() != "near" {
			t.Errorf("%s: got %v, want the local socket", url, ids(got))
		}
		if took > timeout+time.Second {
			t.Errorf("%s: took %s, with a timeout of %s", url, took, timeout)
		}
		if left := c.requests.count(); left != 0 {
			t.Errorf("%s: %d requests left waiting", url, left)
		}
	}
}

// TestFetchAnswerSockets: sockets in a Node server's answer, and in this node's own (what
// fetch sends), read back as the engine's socket details, with plain values.
func TestFetchAnswerSockets(t *testing.T) {
	node := `{"requestId":"r1","sockets":[{"id":"n1","handshake":{"headers":{"host":"127.0.0.1:3000","set-cookie":["a=1","b=2"]},` +
		`"time":"Tue Jan 02 2024","address":"::ffff:127.0.0.1","xdomain":false,"secure":true,"issued":1704153600123,` +
		`"url":"/socket.io/?EIO=4&transport=websocket","query":{"EIO":"4","transport":"websocket"},"auth":{"name":"c1","n":2}},` +
		`"rooms":["n1","lobby"],"data":{"name":"c1","score":3,"ratio":0.5}}]}`
	var answer wire.FetchResponse
	if err := wire.DecodeMessage([]byte(node), &answer); err != nil {
		t.Fatal(err)
	}
	s := NewRemoteSocket(answer.Sockets[0])
	if s.Id() != "n1" || !s.Rooms().Has("lobby") || !s.Rooms().Has("n1") || s.Rooms().Len() != 2 {
		t.Fatalf("id %q rooms %v", s.Id(), s.Rooms().Keys())
	}
	if want := map[string]any{"name": "c1", "score": 3, "ratio": 0.5}; !reflect.DeepEqual(s.Data(), want) {
		t.Fatalf("data = %#v, want %#v", s.Data(), want)
	}
	h := s.Handshake()
	want := &sio.Handshake{Headers: types.IncomingHttpHeaders{"host": "127.0.0.1:3000", "set-cookie": []string{"a=1", "b=2"}},
		Time: "Tue Jan 02 2024", Address: "::ffff:127.0.0.1", Secure: true, Issued: 1704153600123,
		Url: "/socket.io/?EIO=4&transport=websocket", Query: types.ParsedUrlQuery{"EIO": "4", "transport": "websocket"},
		Auth: map[string]any{"name": "c1", "n": 2}}
	if !reflect.DeepEqual(h, want) {
		t.Fatalf("handshake = %#v\nwant %#v", h, want)
	}

	// this node's answer, as fetch builds it, binary data included (sent as msgpack)
	own := &sio.Handshake{Headers: types.IncomingHttpHeaders{"Host": []string{"h:1"}}, Query: types.ParsedUrlQuery{"EIO": []string{"4"}},
		Address: "127.0.0.1:5555", Time: "now", Issued: 42, Url: "/x", Auth: map[string]any{"k": "v"}}
	b, err := wire.EncodeResponse(map[string]any{"requestId": "r2", "sockets": []map[string]any{{
		"id": "o1", "rooms": []string{"o1"}, "data": map[string]any{"bin": []byte{1, 2}, "n": int8(7)},
		"handshake": engine.HandshakeMap(own)}}})
	if err != nil {
		t.Fatal(err)
	}
	answer = wire.FetchResponse{}
	if err := wire.DecodeMessage(b, &answer); err != nil {
		t.Fatal(err)
	}
	s = NewRemoteSocket(answer.Sockets[0])
	if want := map[string]any{"bin": []byte{1, 2}, "n": 7}; !reflect.DeepEqual(s.Data(), want) {
		t.Fatalf("data = %#v, want %#v", s.Data(), want)
	}
	if got, want := engine.Handshake(s.Handshake()), engine.Handshake(own); !reflect.DeepEqual(got, want) {
		t.Fatalf("handshake read back as %#v\nwant %#v", got, want)
	}
}
