package engine

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"sync"

	"github.com/gorilla/websocket"
)

// upgradeWriter is the response writer the engine gets for a websocket upgrade. The engine
// keeps the response writer of a session's first request for the session's whole life; once
// the connection is hijacked, this one lets go of net/http's, and with it net/http's
// connection state (its 4 KiB read and write buffers among it), which the websocket
// connection no longer uses. After the hijack it answers as net/http does: writes fail with
// http.ErrHijacked.
type upgradeWriter struct {
	mu       sync.Mutex
	w        http.ResponseWriter // nil once hijacked
	detached http.Header
}

// ForUpgrade returns the response writer and the request to hand the engine for req. For a
// websocket upgrade the engine keeps both for the session's whole life, so they are made to
// hold as little as they can:
//   - the writer lets go of net/http's connection state once the connection is hijacked (see
//     upgradeWriter);
//   - the request is a copy detached from net/http's contexts. The engine wraps the request's
//     context in its own, and registers a callback on it (context.AfterFunc), so the request
//     context, its connection context and the callback would stay with every connection,
//     about 0.5 KiB (BENCHMARKS.md, "Idle memory per connection"); net/http cancels that
//     context as soon as the upgrade returns, which tells a websocket session nothing. The
//     copy's context is never cancelled and carries no values: neither the engine nor
//     ioroute reads any from it.
//
// Any other request, polling among them, is handed on as it is: there the engine does use
// the context, to notice a client that went away while its poll was held.
func ForUpgrade(w http.ResponseWriter, req *http.Request) (http.ResponseWriter, *http.Request) {
	if websocket.IsWebSocketUpgrade(req) { // the engine's own test for an upgrade
		return &upgradeWriter{w: w}, req.WithContext(context.Background())
	}
	return w, req
}

// Header is the response's header; after the hijack, a header nobody will send.
func (u *upgradeWriter) Header() http.Header {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.w == nil {
		if u.detached == nil {
			u.detached = http.Header{}
		}
		return u.detached
	}
	return u.w.Header()
}

// Write writes to the response, until the hijack.
func (u *upgradeWriter) Write(b []byte) (int, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.w == nil {
		return 0, http.ErrHijacked
	}
	return u.w.Write(b)
}

// WriteHeader sends the status, until the hijack.
func (u *upgradeWriter) WriteHeader(code int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.w != nil {
		u.w.WriteHeader(code)
	}
}

// Hijack takes the connection over from net/http and forgets net/http's response writer.
func (u *upgradeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.w == nil {
		return nil, nil, http.ErrHijacked
	}
	h, ok := u.w.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("ioroute: the connection cannot be hijacked")
	}
	conn, brw, err := h.Hijack()
	if err == nil {
		u.w = nil
	}
	return conn, brw, err
}
