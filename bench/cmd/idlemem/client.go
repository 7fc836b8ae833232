package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// The clients are written against the wire rather than with a websocket library: 15,000 of
// them must fit in a few load-generator processes beside the server, so each holds only a
// small buffered reader and one goroutine. They speak just enough Engine.IO 4 (or 3) and
// Socket.IO to join a namespace, answer the heartbeat and count one broadcast event.

// wsClient is one idle websocket client.
type wsClient struct {
	conn net.Conn
	br   *bufio.Reader
	eio  int
	ns   string
}

// counters are what a client process reports.
type counters struct {
	joined   atomic.Int64 // clients whose namespace CONNECT arrived
	alive    atomic.Int64 // clients whose connection has not ended
	pings    atomic.Int64 // heartbeats answered (EIO4: server pings; EIO3: pongs received)
	received atomic.Int64 // broadcast events received
	ended    atomic.Int64 // connections the server ended
}

// dialClient opens one websocket session from local address laddr (a loopback IP, port
// chosen by the system), joins ns and returns once the namespace's CONNECT arrived.
func dialClient(addr, path, laddr, ns string, eio int, timeout time.Duration) (*wsClient, error) {
	d := net.Dialer{Timeout: timeout, LocalAddr: &net.TCPAddr{IP: net.ParseIP(laddr)}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	_ = conn.SetDeadline(time.Now().Add(timeout))
	req := fmt.Sprintf("GET %s?EIO=%d&transport=websocket HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", path, eio, addr)
	if _, err := io.WriteString(conn, req); err != nil {
		conn.Close()
		return nil, err
	}
	c := &wsClient{conn: conn, br: bufio.NewReaderSize(conn, 512), eio: eio, ns: ns}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		conn.Close()
		return nil, fmt.Errorf("upgrade: HTTP %s", resp.Status)
	}
	open, err := c.readText()
	if err != nil || !strings.HasPrefix(open, "0{") {
		conn.Close()
		return nil, fmt.Errorf("no Engine.IO open packet (%q): %v", open, err)
	}
	if ns != "/" || eio == 4 {
		if err := c.writeText("40" + nsPrefix(ns)); err != nil {
			conn.Close()
			return nil, err
		}
	}
	for {
		msg, err := c.readText()
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("waiting for CONNECT: %w", err)
		}
		if isConnect(msg, ns) {
			break
		}
		if strings.HasPrefix(msg, "44") {
			conn.Close()
			return nil, fmt.Errorf("connect refused: %s", msg)
		}
	}
	_ = conn.SetDeadline(time.Time{})
	return c, nil
}

// isConnect tells whether msg is the Socket.IO CONNECT of namespace ns (Engine.IO 3 servers
// write "40/chat" with or without a comma).
func isConnect(msg, ns string) bool {
	rest, ok := strings.CutPrefix(msg, "40")
	if !ok {
		return false
	}
	if ns != "/" {
		if rest, ok = strings.CutPrefix(rest, ns); !ok {
			return false
		}
	} else if strings.HasPrefix(rest, "/") {
		return false
	}
	return rest == "" || rest[0] == ',' || rest[0] == '{'
}

// nsPrefix is how a namespace is named in a Socket.IO packet ("" for the root).
func nsPrefix(ns string) string {
	if ns == "/" {
		return ""
	}
	return ns + ","
}

// hold reads until the connection ends: it answers the heartbeat and counts broadcasts of
// event. In Engine.IO 3 the client pings, every interval.
func (c *wsClient) hold(cnt *counters, event string, interval time.Duration) {
	defer cnt.alive.Add(-1)
	if c.eio == 3 {
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			t := time.NewTicker(interval)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					if c.writeText("2") != nil {
						return
					}
				}
			}
		}()
	}
	prefix := "42" + nsPrefix(c.ns) + `["` + event + `"`
	for {
		msg, err := c.readText()
		if err != nil {
			cnt.ended.Add(1)
			return
		}
		switch {
		case msg == "2":
			cnt.pings.Add(1)
			if c.writeText("3") != nil {
				cnt.ended.Add(1)
				return
			}
		case msg == "3":
			cnt.pings.Add(1)
		case strings.HasPrefix(msg, prefix):
			cnt.received.Add(1)
		}
	}
}

// writeText sends one masked text frame (the mask is zero: the protocol asks for a mask,
// not for a secret one).
func (c *wsClient) writeText(s string) error {
	var hdr []byte
	switch n := len(s); {
	case n < 126:
		hdr = []byte{0x81, 0x80 | byte(n), 0, 0, 0, 0}
	case n < 1<<16:
		hdr = []byte{0x81, 0x80 | 126, byte(n >> 8), byte(n), 0, 0, 0, 0}
	default:
		return errors.New("message too long")
	}
	_, err := c.conn.Write(append(hdr, s...))
	return err
}

// readText reads the next data message (control frames are answered or skipped).
func (c *wsClient) readText() (string, error) {
	var msg bytes.Buffer
	for {
		var h [2]byte
		if _, err := io.ReadFull(c.br, h[:]); err != nil {
			return "", err
		}
		fin, op := h[0]&0x80 != 0, h[0]&0x0f
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			var b [2]byte
			if _, err := io.ReadFull(c.br, b[:]); err != nil {
				return "", err
			}
			n = uint64(binary.BigEndian.Uint16(b[:]))
		case 127:
			var b [8]byte
			if _, err := io.ReadFull(c.br, b[:]); err != nil {
				return "", err
			}
			n = binary.BigEndian.Uint64(b[:])
		}
		if n > 1<<20 {
			return "", errors.New("frame too long")
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(c.br, payload); err != nil {
			return "", err
		}
		switch op {
		case 0x8:
			return "", io.EOF
		case 0x9, 0xA:
			continue // the server does not ping at the websocket level; nothing to answer
		}
		msg.Write(payload)
		if fin {
			return msg.String(), nil
		}
	}
}
