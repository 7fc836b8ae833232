// Package backend makes the HTTP requests of call steps: one pool of kept-alive connections,
// a bound on the calls waiting at once, a bound on the size of a reply, and the reply read as
// the config's expressions see it (response.status, .headers, .body).
//
// The requests go through an http.RoundTripper, which is the seam for tests: `ioroute test`
// (or any Go test) gives the router a RoundTripper that answers from stubs and records the
// requests, through router.Options.CallTransport, or builds a Client on one with New and puts
// it in actions.Context.Calls. Everything else a call does (its timeout, the bounds, the
// decoding of the reply, the refusal to follow redirects) applies to stubbed replies as it
// does to real ones. RoundTripFunc makes a RoundTripper of a function.
package backend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

// Limits bound a Client's calls; they are read at each call, so a reload applies them.
type Limits struct {
	// InFlight is how many calls may wait for their replies at once (server.limits.calls_in_flight).
	InFlight int
	// BodyBytes is the largest reply body read (server.limits.call_body_bytes).
	BodyBytes int
}

// Client makes calls. It is safe for concurrent use.
type Client struct {
	http     *http.Client
	limits   func() Limits
	inFlight atomic.Int64
}

// New returns a Client sending through rt (nil: NewTransport()) within the limits that
// limits returns at each call.
func New(rt http.RoundTripper, limits func() Limits) *Client {
	if rt == nil {
		rt = NewTransport()
	}
	return &Client{
		http: &http.Client{
			Transport: rt,
			// A redirect is a reply like any other: the config reads its status and Location.
			// Following it would let a backend, or whoever controls a redirecting URL, send the
			// request with its headers to another host.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		limits: limits,
	}
}

// NewTransport is the transport of real calls: connections to each backend are kept alive and
// reused, as many idle ones per host as calls may be in flight by default. Proxies named in
// the environment are not used: a call goes to the host the config names.
func NewTransport() *http.Transport {
	return &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// RoundTripFunc is a function that answers requests, as a RoundTripper: a stub for tests.
type RoundTripFunc func(*http.Request) (*http.Response, error)

// RoundTrip calls f.
func (f RoundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Reply is a backend's reply, read.
type Reply struct {
	Status int
	// Headers are the reply's headers, names in lower case, the first value of each.
	Headers map[string]any
	// Body is the decoded JSON value when the reply says it is JSON and is, else the text;
	// nil for an empty body.
	Body any
}

// Do sends req, which it gives timeout to answer in (reply body included), and reads the
// reply. Any HTTP status is a reply; a call past the in-flight bound, a timeout, a failed
// connection and a reply over the size bound are errors, whose messages say what happened
// without the request's query or credentials.
func (c *Client) Do(req *http.Request, timeout time.Duration) (*Reply, error) {
	l := c.limits()
	if n := c.inFlight.Add(1); n > int64(l.InFlight) {
		c.inFlight.Add(-1)
		return nil, fmt.Errorf("%d calls are already waiting for their backends, the most server.limits.calls_in_flight allows; this one was not made", l.InFlight)
	}
	defer c.inFlight.Add(-1)
	ctx, cancel := context.WithTimeout(req.Context(), timeout)
	defer cancel()
	resp, err := c.http.Do(req.WithContext(ctx))
	if err != nil {
		return nil, failure(req, timeout, err)
	}
	defer resp.Body.Close()
	if resp.ContentLength > int64(l.BodyBytes) {
		return nil, fmt.Errorf("%s: the reply has %d bytes, more than the %d of server.limits.call_body_bytes", target(req), resp.ContentLength, l.BodyBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(l.BodyBytes)+1))
	if err != nil {
		return nil, failure(req, timeout, err)
	}
	if len(body) > l.BodyBytes {
		return nil, fmt.Errorf("%s: the reply has more than the %d bytes of server.limits.call_body_bytes", target(req), l.BodyBytes)
	}
	return &Reply{Status: resp.StatusCode, Headers: headers(resp.Header), Body: decode(resp.Header.Get("Content-Type"), body)}, nil
}

// InFlight is the number of calls waiting for their replies now.
func (c *Client) InFlight() int { return int(c.inFlight.Load()) }

// CloseIdle closes the kept-alive connections that no call uses now.
func (c *Client) CloseIdle() { c.http.CloseIdleConnections() }

// failure says why a call got no reply.
func failure(req *http.Request, timeout time.Duration, err error) error {
	var ue interface{ Timeout() bool }
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ue) && ue.Timeout()) {
		return fmt.Errorf("%s: no reply within %s (the call's timeout)", target(req), timeout)
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // url.Error repeats the whole URL, query included
	}
	return fmt.Errorf("%s: %v", target(req), err)
}

// target names a request in messages: its method and URL without credentials or query, which
// may hold values read from the environment.
func target(req *http.Request) string {
	u := *req.URL
	u.User, u.RawQuery, u.ForceQuery, u.Fragment = nil, "", false, ""
	return req.Method + " " + u.String()
}
