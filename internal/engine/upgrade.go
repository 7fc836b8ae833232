package engine

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
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

// UpgradeWriter returns the response writer to hand the engine for req: for a websocket
// upgrade, one that lets go of net/http's connection state once the connection is hijacked
// (see upgradeWriter); otherwise w itself.
func UpgradeWriter(w http.ResponseWriter, req *http.Request) http.ResponseWriter {
	if strings.EqualFold(req.Header.Get("Upgrade"), "websocket") {
		return &upgradeWriter{w: w}
	}
	return w
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
