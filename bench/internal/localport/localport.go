// Package localport finds free TCP ports on the loopback interface for the benchmark's
// servers, and waits for a server started on one to answer (over polling or websocket).
package localport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// Free returns a TCP port on 127.0.0.1 that nothing listened on a moment ago.
func Free() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// WaitHandshake polls the Engine.IO handshake of the server at base (http://host:port) until
// it answers, for up to 20 s; it gives up early when exited delivers (the server process
// ended; nil never does) or ctx ends.
func WaitHandshake(ctx context.Context, base string, exited <-chan error) error {
	client := &http.Client{Timeout: time.Second}
	defer client.CloseIdleConnections()
	return poll(ctx, exited, func() error {
		resp, err := client.Get(base + "/socket.io/?EIO=4&transport=polling")
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return errors.New(resp.Status)
		}
		return nil
	})
}

// WaitWebSocket waits, as WaitHandshake does, for a server that serves only the websocket
// transport: until an Engine.IO 4 websocket session opens and sends its open packet.
func WaitWebSocket(ctx context.Context, base string, exited <-chan error) error {
	u := strings.Replace(base, "http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
	d := websocket.Dialer{HandshakeTimeout: time.Second}
	return poll(ctx, exited, func() error {
		ws, _, err := d.DialContext(ctx, u, nil)
		if err != nil {
			return err
		}
		defer ws.Close()
		_ = ws.SetReadDeadline(time.Now().Add(time.Second))
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return err
		}
		if len(msg) == 0 || msg[0] != '0' {
			return fmt.Errorf("expected an open packet, got %q", msg)
		}
		return nil
	})
}

// poll tries every 100 ms until try succeeds, for up to 20 s (then its last error), or until
// exited delivers or ctx ends.
func poll(ctx context.Context, exited <-chan error, try func() error) error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := try()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		select {
		case e := <-exited:
			return fmt.Errorf("exited: %v", e)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
