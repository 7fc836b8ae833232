// Package localport finds free TCP ports on the loopback interface for the benchmark's
// servers, and waits for a server started on one to answer.
package localport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
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
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := client.Get(base + "/socket.io/?EIO=4&transport=polling")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = errors.New(resp.Status)
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
