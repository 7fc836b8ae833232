package testrun

import (
	"fmt"
	"strings"
	"time"

	"github.com/ioroute/ioroute/config/testfile"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// called waits for the requests a called step lists, in order, each the first not yet
// checked request after the one before that matches.
func (ru *run) called(s *testfile.Step) *failure {
	deadline := time.Now().Add(ru.timeout(s))
	after := 0
	for _, c := range s.Called {
		w, err := ru.callWant(c)
		if err != nil {
			return failAt(c.Pos, "", "%v", err)
		}
		// one more look once the deadline passed: a request may have come as it did
		for expired := false; ; {
			if i := ru.backend.find(after, w.matches); i >= 0 {
				after = i + 1
				break
			}
			if expired {
				msg, detail := w.missing(ru.backend.requests(), after, ru.timeout(s))
				return failAt(c.Pos, detail, "%s", msg)
			}
			expired = !ru.backend.wait(deadline)
		}
	}
	return nil
}

// callWant is a request a called step expects, with its values resolved.
type callWant struct {
	// key is the request's `METHOD URL` as the test wrote it.
	key         string
	method, url string
	// body and contains are compared when has says so (a body may be expected to be null).
	body, contains       any
	hasBody, hasContains bool
	// headers are the headers the request must have, with their values; nil checks none.
	headers map[string]string
}

func (ru *run) callWant(c *testfile.CallCheck) (*callWant, error) {
	u, err := ru.resolve(c.URL)
	if err != nil {
		return nil, err
	}
	w := &callWant{key: c.Key, method: c.Method, url: u.(string), hasBody: c.Body != nil, hasContains: c.Contains != nil}
	if w.body, err = ru.resolve(c.Body); err != nil {
		return nil, err
	}
	if w.contains, err = ru.resolve(c.Contains); err != nil {
		return nil, err
	}
	if c.Headers != nil {
		h, err := ru.resolve(c.Headers)
		if err != nil {
			return nil, err
		}
		w.headers = map[string]string{}
		for k, v := range h.(map[string]any) {
			w.headers[k] = tmpl.Stringify(v)
		}
	}
	return w, nil
}

// target reports whether r goes where w says: its method and URL.
func (w *callWant) target(r *request) bool {
	return r.method == w.method && urlMatches(w.url, r.url)
}

func (w *callWant) headersMatch(r *request) bool {
	for k, v := range w.headers {
		if got := r.header.Values(k); len(got) == 0 || got[0] != v {
			return false
		}
	}
	return true
}

func (w *callWant) bodyMatches(r *request) bool {
	switch {
	case w.hasBody:
		return equal(w.body, r.body)
	case w.hasContains:
		return contains(w.contains, r.body)
	}
	return true
}

func (w *callWant) matches(r *request) bool {
	return w.target(r) && w.headersMatch(r) && w.bodyMatches(r)
}

// missing explains an expected request that was not made, after index after of reqs:
// against the nearest request to the same method and URL when one was made (a diff of what
// differs), with the list of requests otherwise.
func (w *callWant) missing(reqs []request, after int, timeout time.Duration) (msg, detail string) {
	for i := after; i < len(reqs); i++ {
		r := &reqs[i]
		if r.used || !w.target(r) {
			continue
		}
		label := r.method + " " + r.url
		switch {
		case !w.headersMatch(r):
			want, got := map[string]any{}, map[string]any{}
			for k, v := range w.headers {
				want[k] = v
				got[k] = nil
				if vs := r.header.Values(k); len(vs) > 0 {
					got[k] = vs[0]
				}
			}
			return fmt.Sprintf("called: %s was called, but its headers differ", label), diff(want, got)
		case w.hasContains:
			return fmt.Sprintf("called: %s was called, but its body does not contain what is expected", label), diff(w.contains, r.body)
		default:
			return fmt.Sprintf("called: %s was called, but its body differs", label), diff(w.body, r.body)
		}
	}
	for i := 0; i < after && i < len(reqs); i++ {
		if r := &reqs[i]; !r.used && w.matches(r) {
			return fmt.Sprintf("called: %s was called, but before the request listed ahead of it", w.key), unusedRequests(reqs)
		}
	}
	return fmt.Sprintf("called: no %s request within %s", w.key, timeout), unusedRequests(reqs)
}

// unusedRequests lists the requests no called step has matched yet.
func unusedRequests(reqs []request) string {
	var lines []string
	for _, r := range reqs {
		if r.used {
			continue
		}
		line := "  " + r.method + " " + r.url
		if r.body != nil {
			line += " " + compact(r.body)
		}
		if r.stub == "" {
			line += " (no stub answered it)"
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return "the config made no other call"
	}
	return "the config called:\n" + strings.Join(lines, "\n")
}
