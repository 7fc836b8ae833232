package ws

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// recorder is a Handler that hands what it gets to the test.
type recorder struct {
	msgs  chan string
	ended chan error
}

func (r *recorder) Message(op Opcode, p []byte) { r.msgs <- string(rune('0'+op)) + ":" + string(p) }
func (r *recorder) Control(op Opcode, p []byte) { r.msgs <- string(rune('0'+op)) + "!" + string(p) }
func (r *recorder) ReadEnded(err error)         { r.ended <- err }

// tcpPair is a connected pair of loopback TCP connections: the server's side and the client's.
func tcpPair(t *testing.T) (*net.TCPConn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close(); _ = server.Close() })
	return server.(*net.TCPConn), client
}

// TestReader: in both reading modes, frames written in pieces arrive as whole messages in
// order, control frames are handed over, and the end of the connection is reported once.
func TestReader(t *testing.T) {
	for _, poll := range []bool{true, false} {
		name := map[bool]string{true: "poller", false: "goroutine per connection"}[poll]
		t.Run(name, func(t *testing.T) {
			defer SetPolling(poll)()
			server, client := tcpPair(t)
			rec := &recorder{msgs: make(chan string, 10), ended: make(chan error, 2)}
			r, err := NewReader(rec, server, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			go r.Start()
			defer r.Stop()
			in := bytes.Join([][]byte{
				ClientFrame(0x81, []byte("hello"), true),
				ClientFrame(0x89, []byte("ping"), true),
				ClientFrame(0x02, []byte{1, 2}, true),
				ClientFrame(0x80, []byte{3}, true),
			}, nil)
			for i := range in { // one byte at a time, as a slow network would
				if _, err := client.Write(in[i : i+1]); err != nil {
					t.Fatal(err)
				}
			}
			for _, want := range []string{"1:hello", "9!ping", "2:\x01\x02\x03"} {
				select {
				case got := <-rec.msgs:
					if got != want {
						t.Fatalf("got %q, want %q", got, want)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("no %q", want)
				}
			}
			_ = client.Close()
			select {
			case err := <-rec.ended:
				if !errors.Is(err, io.EOF) {
					t.Fatalf("reading ended with %v, want EOF", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the end of the connection was not reported")
			}
		})
	}
}

// TestReaderProtocolError: a frame that breaks the protocol ends the reading with the close
// code the client is owed.
func TestReaderProtocolError(t *testing.T) {
	server, client := tcpPair(t)
	rec := &recorder{msgs: make(chan string, 10), ended: make(chan error, 2)}
	r, err := NewReader(rec, server, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	go r.Start()
	defer r.Stop()
	if _, err := client.Write(ClientFrame(0x81, []byte("x"), false)); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-rec.ended:
		var werr *Error
		if !errors.As(err, &werr) || werr.Code != CloseProtocol {
			t.Fatalf("reading ended with %v, want close code %d", err, CloseProtocol)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the protocol error was not reported")
	}
}
