package testrun

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ioroute/ioroute/config/testfile"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// stubBackend stands in for every backend of one test: the router's calls go to it (as
// router.Options.CallTransport) rather than to the network, it answers them from the test's
// stubs, and it records each request for called steps and failures. The call action's own
// timeout, bounds and reading of the reply apply to its answers as to a real backend's.
type stubBackend struct {
	stubs []*stub
	// done is closed when the test ends, so that a delay stops holding the router.
	done chan struct{}

	mu   sync.Mutex
	reqs []*request
	more chan struct{}
}

// stub is a testfile.Stub with its values resolved, ready to answer.
type stub struct {
	*testfile.Stub
	url    string
	header http.Header
	body   []byte
}

// request is one call the config made.
type request struct {
	method, url string
	header      http.Header
	// body is the value of a JSON body, the text of any other, nil for none.
	body any
	// stub is the key of the stub that answered, "" when none did.
	stub string
	// used marks a request a called step has matched, so that each is expected once.
	used bool
}

// newStubBackend resolves the test's stubs, whose values may read its env.
func newStubBackend(stubs []*testfile.Stub, env map[string]string) (*stubBackend, error) {
	b := &stubBackend{done: make(chan struct{}), more: make(chan struct{}, 1)}
	noIDs := func(string) (string, bool) { return "", false }
	for _, s := range stubs {
		u, err := s.URL.Resolve(noIDs, env)
		if err != nil {
			return nil, err
		}
		st := &stub{Stub: s, url: u.(string), header: http.Header{}}
		if s.Headers != nil {
			h, err := s.Headers.Resolve(noIDs, env)
			if err != nil {
				return nil, err
			}
			for k, v := range h.(map[string]any) {
				st.header.Set(k, tmpl.Stringify(v))
			}
		}
		if s.Body != nil {
			v, err := s.Body.Resolve(noIDs, env)
			if err != nil {
				return nil, err
			}
			if st.body, err = replyBody(v, st.header); err != nil {
				return nil, fmt.Errorf("calls %q: body: %w", s.Key, err)
			}
		}
		b.stubs = append(b.stubs, st)
	}
	return b, nil
}

// replyBody encodes a stub's body: as JSON, said so in Content-Type unless the stub names
// another type, for which a string is sent as its text.
func replyBody(v any, h http.Header) ([]byte, error) {
	ct := h.Get("Content-Type")
	if s, ok := v.(string); ok && ct != "" && !isJSON(ct) {
		return []byte(s), nil
	}
	if ct == "" {
		h.Set("Content-Type", "application/json")
	}
	return json.Marshal(v)
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// RoundTrip records req and answers it from the first stub that matches.
func (b *stubBackend) RoundTrip(req *http.Request) (*http.Response, error) {
	r, err := record(req)
	if err != nil {
		return nil, err
	}
	var s *stub
	for _, st := range b.stubs {
		if st.Method == r.method && urlMatches(st.url, r.url) {
			s = st
			r.stub = st.Key
			break
		}
	}
	b.add(r)
	if s == nil {
		return nil, fmt.Errorf("no stub of the test answers %q, and a test makes no network requests: add it under `calls`", r.method+" "+r.url)
	}
	if s.Delay > 0 {
		t := time.NewTimer(s.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-b.done:
			return nil, errors.New("the test ended while the stub's delay ran")
		}
	}
	if s.Fail != "" {
		return nil, errors.New(s.Fail)
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", s.Status, http.StatusText(s.Status)),
		StatusCode:    s.Status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        s.header.Clone(),
		Body:          io.NopCloser(bytes.NewReader(s.body)),
		ContentLength: int64(len(s.body)),
		Request:       req,
	}, nil
}

// record reads a request as a called step compares it.
func record(req *http.Request) (*request, error) {
	r := &request{method: req.Method, url: req.URL.String(), header: req.Header.Clone()}
	if req.Body == nil {
		return r, nil
	}
	defer req.Body.Close()
	raw, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return r, nil
	}
	r.body = string(raw)
	var v any
	if isJSON(req.Header.Get("Content-Type")) && json.Unmarshal(raw, &v) == nil {
		r.body = v
	}
	return r, nil
}

func (b *stubBackend) add(r *request) {
	b.mu.Lock()
	b.reqs = append(b.reqs, r)
	b.mu.Unlock()
	select {
	case b.more <- struct{}{}:
	default:
	}
}

// close ends the delays still running: the test is over.
func (b *stubBackend) close() { close(b.done) }

// requests returns a copy of the requests made so far, used marks included.
func (b *stubBackend) requests() []request {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]request, len(b.reqs))
	for i, r := range b.reqs {
		out[i] = *r
	}
	return out
}

// find marks and returns the first unused request from index after that match accepts, or -1.
func (b *stubBackend) find(after int, match func(*request) bool) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := after; i < len(b.reqs); i++ {
		if r := b.reqs[i]; !r.used && match(r) {
			r.used = true
			return i
		}
	}
	return -1
}

// wait waits for another request until deadline; false when it passed.
func (b *stubBackend) wait(deadline time.Time) bool {
	d := time.Until(deadline)
	if d <= 0 {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-b.more:
		return true
	case <-t.C:
		return false
	}
}

// unanswered lists the requests no stub answered, for a failed test's explanation.
func (b *stubBackend) unanswered() []string {
	var out []string
	for _, r := range b.requests() {
		if r.stub == "" {
			out = append(out, r.method+" "+r.url)
		}
	}
	return out
}

// urlMatches reports whether url matches pattern, in which each * stands for any text (a
// slash and a query included) and everything else for itself.
func urlMatches(pattern, url string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == url
	}
	rest, ok := strings.CutPrefix(url, parts[0])
	if !ok {
		return false
	}
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, p)
		if i < 0 {
			return false
		}
		rest = rest[i+len(p):]
	}
	return strings.HasSuffix(rest, parts[len(parts)-1])
}
