package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// waitWebSocket waits, as localport.WaitHandshake does, for a server that serves only the
// websocket transport: until an Engine.IO 4 websocket session opens and sends its open
// packet, for up to 20 s, or until the server exits or ctx ends.
func waitWebSocket(ctx context.Context, base string, exited <-chan error) error {
	u := strings.Replace(base, "http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
	d := websocket.Dialer{HandshakeTimeout: time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := openOnce(ctx, d, u)
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

func openOnce(ctx context.Context, d websocket.Dialer, u string) error {
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
}
