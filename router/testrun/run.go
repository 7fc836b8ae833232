// Package testrun runs the test files of `ioroute test` (package config/testfile) against
// their configs.
//
// Each test gets a fresh router (package router, the same code `ioroute run` serves with) on
// a free loopback port, with the test's env and the config's cluster adapter left out, and
// its clients connect to it over real Socket.IO connections: protocol 4 clients are the Go
// client github.com/zishang520/socket.io (socket.io-client 3/4's Engine.IO 4 over
// websocket), protocol 3 clients a small Engine.IO 3 websocket client of this package, since
// no Go client speaks it. Loopback rather than an in-process transport, because then a test
// exercises exactly what a browser would: the handshake, the namespace guard, auth, the
// engine's encoding and acknowledgements, with no second dispatch path to keep honest; it
// costs a few milliseconds per client.
//
// Time is real: steps wait up to their timeout for what they expect, and a config's own
// timeouts (an on_ack's timeout, rate limits, token expiry) run on the wall clock.
package testrun

import (
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/config/testfile"
	"github.com/ioroute/ioroute/internal/tmpl"
	"github.com/ioroute/ioroute/router"
)

// Result is the outcome of one test.
type Result struct {
	// File is the test file; Name and Pos the test's.
	File    string
	Name    string
	Pos     config.Pos
	Elapsed time.Duration
	// Failure explains a failed test (several lines); empty when it passed.
	Failure string
}

// Passed reports whether the test passed.
func (r Result) Passed() bool { return r.Failure == "" }

// failure is why a step failed.
type failure struct {
	pos config.Pos
	// msg is one line; detail any number of lines (a diff, what arrived).
	msg    string
	detail string
}

func failAt(pos config.Pos, detail string, format string, args ...any) *failure {
	return &failure{pos: pos, msg: fmt.Sprintf(format, args...), detail: detail}
}

// run is one test while it runs.
type run struct {
	file    *File
	test    *testfile.Test
	router  *router.Router
	base    string
	clients map[string]*client
	printed *lines
	log     *syncBuffer
	// ran says which config handler the last step that sent something to the server ran,
	// for failures.
	ran string
}

// RunTest runs one test of f.
func RunTest(f *File, t *testfile.Test) Result {
	start := time.Now()
	res := Result{File: f.Test.Name, Name: t.Name, Pos: t.Pos}
	ru := &run{file: f, test: t, clients: map[string]*client{}, printed: newLines(), log: &syncBuffer{}}
	if fl := ru.start(); fl != nil {
		res.Failure = ru.explain(fl)
	} else {
		for _, s := range t.Steps {
			if fl := ru.step(s); fl != nil {
				res.Failure = ru.explain(fl)
				break
			}
		}
	}
	ru.stop()
	res.Elapsed = time.Since(start)
	return res
}

func (ru *run) start() *failure {
	logger := slog.New(slog.NewTextHandler(ru.log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	r, err := router.New(ru.file.Table, router.Options{Listen: "127.0.0.1:0", Logger: logger, Stdout: ru.printed})
	if err != nil {
		return failAt(ru.test.Pos, "", "cannot start the server: %v", err)
	}
	r.UseEnv(ru.test.Env)
	if err := r.Start(); err != nil {
		return failAt(ru.test.Pos, "", "cannot start the server: %v", err)
	}
	ru.router, ru.base = r, "http://"+r.Addr().String()
	return nil
}

func (ru *run) stop() {
	for _, c := range ru.clients {
		if c.wire != nil {
			c.wire.close()
		}
	}
	if ru.router != nil {
		_ = ru.router.Close()
	}
}

// explain renders a failure: the step's position and what went wrong, then the handler that
// ran and the router's warnings (a failing step of the config is logged with its position).
func (ru *run) explain(f *failure) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", f.pos, f.msg)
	if f.detail != "" {
		b.WriteString(indent(f.detail, "  ") + "\n")
	}
	if ru.ran != "" {
		fmt.Fprintf(&b, "  handler that ran: %s\n", ru.ran)
	}
	if warnings := ru.log.warnings(); len(warnings) > 0 {
		b.WriteString("  server log:\n")
		for _, w := range warnings {
			b.WriteString("    " + w + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func indent(s, by string) string {
	return by + strings.ReplaceAll(s, "\n", "\n"+by)
}

// timeout is how long step s waits for what it expects.
func (ru *run) timeout(s *testfile.Step) time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return ru.test.Timeout
}

func (ru *run) step(s *testfile.Step) *failure {
	switch s.Kind {
	case "connect":
		return ru.connect(s)
	case "refused":
		return ru.refused(s)
	case "emit":
		return ru.emit(s)
	case "expect":
		return ru.expect(s)
	case "printed":
		return ru.expectPrinted(s)
	case "rooms":
		return ru.rooms(s)
	case "disconnect":
		for _, name := range s.Clients {
			c := ru.clients[name]
			c.wire.close()
			c.wire = nil
			ru.ran = ru.handler(name, "disconnect")
		}
	}
	return nil
}

// ids gives the socket ids of the connected clients to the values of a test file.
func (ru *run) ids(name string) (string, bool) {
	c := ru.clients[name]
	if c == nil || c.id == "" {
		return "", false
	}
	return c.id, true
}

func (ru *run) resolve(v *testfile.Value) (any, error) {
	return v.Resolve(ru.ids, ru.test.Env)
}

// dial starts connecting client name with its namespace, query and auth.
func (ru *run) dial(name string) (*client, error) {
	spec := ru.test.Clients[name]
	c := ru.clients[name]
	if c == nil {
		c = newClient(name)
		ru.clients[name] = c
	}
	c.reset()
	query := url.Values{}
	if spec.Query != nil {
		q, err := ru.resolve(spec.Query)
		if err != nil {
			return nil, err
		}
		for k, v := range q.(map[string]any) {
			query.Set(k, tmpl.Stringify(v))
		}
	}
	var auth map[string]any
	if spec.Auth != nil {
		a, err := ru.resolve(spec.Auth)
		if err != nil {
			return nil, err
		}
		auth = a.(map[string]any)
	}
	if spec.JWT != nil {
		tok, err := ru.sign(spec.JWT)
		if err != nil {
			return nil, err
		}
		if auth == nil {
			auth = map[string]any{}
		}
		auth["token"] = tok
	}
	path := ru.file.Table.File.Server.Path
	var err error
	if spec.Protocol == 3 {
		c.wire, err = dial3(c, ru.base, path, spec.Namespace, query, auth)
	} else {
		c.wire, err = dial4(c, ru.base, path, spec.Namespace, query, auth)
	}
	return c, err
}

func (ru *run) sign(j *testfile.JWT) (string, error) {
	secret, err := ru.resolve(j.Secret)
	if err != nil {
		return "", err
	}
	expires := time.Now().Add(j.ExpiresIn)
	if j.Expired {
		expires = time.Now().Add(-time.Minute)
	}
	return tmpl.SignHS256(secret.(string), j.Sub, j.Aud, expires)
}

// wait waits for c's connection attempt to end, up to d.
func wait(c *client, d time.Duration) (outcome, bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case o := <-c.outcome:
		return o, true
	case <-t.C:
		return outcome{}, false
	}
}

// connect connects the clients one after another, each once the server accepted the one
// before, so that their connect handlers run in the order the step lists them.
func (ru *run) connect(s *testfile.Step) *failure {
	for _, name := range s.Clients {
		c, err := ru.dial(name)
		if err != nil {
			return failAt(s.Pos, "", "connect %s: %v", name, err)
		}
		ns := ru.test.Clients[c.name].Namespace
		o, ok := wait(c, ru.timeout(s))
		ru.ran = ru.handler(c.name, "connect")
		switch {
		case !ok:
			return failAt(s.Pos, "", "connect %s: not connected to %s within %s", c.name, ns, ru.timeout(s))
		case o.err != nil:
			return failAt(s.Pos, "", "connect %s: %v", c.name, o.err)
		case o.refused:
			return failAt(s.Pos, refusal(o), "connect %s: the server refused it on %s", c.name, ns)
		}
		c.id = o.id
	}
	return nil
}

func refusal(o outcome) string {
	out := "message: " + o.message
	if o.hasData {
		out += "\ndata: " + compact(o.data)
	}
	return out
}

func (ru *run) refused(s *testfile.Step) *failure {
	c, err := ru.dial(s.Client)
	if err != nil {
		return failAt(s.Pos, "", "refused %s: %v", s.Client, err)
	}
	o, ok := wait(c, ru.timeout(s))
	ru.ran = ru.handler(s.Client, "connect")
	if c.wire != nil {
		c.wire.close()
		c.wire = nil
	}
	switch {
	case !ok:
		return failAt(s.Pos, "", "refused %s: neither connected nor refused within %s", s.Client, ru.timeout(s))
	case o.err != nil:
		return failAt(s.Pos, "", "refused %s: %v", s.Client, o.err)
	case !o.refused:
		return failAt(s.Pos, "", "refused %s: it connected (socket %s), but the step expects the server to refuse it", s.Client, o.id)
	}
	if s.Message != nil && *s.Message != o.message {
		hint := ""
		if ru.test.Clients[s.Client].Protocol == 3 && o.hasData {
			hint = "\n(a protocol 3 client is sent the refusal's data instead of its message when it has data, as Node's server does)"
		}
		return failAt(s.Pos, diff(*s.Message, o.message)+hint, "refused %s: another message", s.Client)
	}
	if s.Data != nil {
		want, err := ru.resolve(s.Data)
		if err != nil {
			return failAt(s.Data.Node.Pos, "", "%v", err)
		}
		if !o.hasData || !equal(want, o.data) {
			var got any
			if o.hasData {
				got = o.data
			}
			return failAt(s.Data.Node.Pos, diff(want, got), "refused %s: other data", s.Client)
		}
	}
	return nil
}

func (ru *run) emit(s *testfile.Step) *failure {
	c := ru.clients[s.Client]
	var args []any
	switch {
	case s.Args != nil:
		a, err := ru.resolve(s.Args)
		if err != nil {
			return failAt(s.Pos, "", "%v", err)
		}
		args = a.([]any)
	case s.Data != nil:
		d, err := ru.resolve(s.Data)
		if err != nil {
			return failAt(s.Pos, "", "%v", err)
		}
		args = []any{d}
	}
	ru.ran = ru.handler(s.Client, s.Event)
	if !s.WantsAck() {
		if err := c.wire.emit(s.Event, args, nil); err != nil {
			return failAt(s.Pos, "", "%s: %v", s, err)
		}
		return nil
	}
	replies := make(chan []any, 1)
	if err := c.wire.emit(s.Event, args, func(r []any) { replies <- r }); err != nil {
		return failAt(s.Pos, "", "%s: %v", s, err)
	}
	t := time.NewTimer(ru.timeout(s))
	defer t.Stop()
	var got []any
	select {
	case got = <-replies:
	case <-t.C:
		return failAt(s.Pos, "", "%s: no acknowledgement within %s", s, ru.timeout(s))
	}
	var first any
	if len(got) > 0 {
		first = got[0]
	}
	switch {
	case s.AckArgs != nil:
		want, err := ru.resolve(s.AckArgs)
		if err != nil {
			return failAt(s.Pos, "", "%v", err)
		}
		if !equal(want, got) {
			return failAt(s.AckArgs.Node.Pos, diff(want, got), "%s: the acknowledgement has other arguments", s)
		}
	case s.AckContains != nil:
		want, err := ru.resolve(s.AckContains)
		if err != nil {
			return failAt(s.Pos, "", "%v", err)
		}
		if len(got) == 0 || !contains(want, first) {
			return failAt(s.AckContains.Node.Pos, diff(want, first), "%s: the acknowledgement does not contain what is expected", s)
		}
	default:
		want, err := ru.resolve(s.Ack)
		if err != nil {
			return failAt(s.Pos, "", "%v", err)
		}
		if len(got) == 0 || !equal(want, first) {
			return failAt(s.Ack.Node.Pos, diff(want, first), "%s: another acknowledgement", s)
		}
	}
	return nil
}

// handler describes the config handler an event of client name runs, for failures.
func (ru *run) handler(name, event string) string {
	spec := ru.test.Clients[name]
	ns := ru.file.Table.Namespaces[spec.Namespace]
	if ns == nil {
		return fmt.Sprintf("none: the config declares no namespace %s, so the server refuses %s", spec.Namespace, name)
	}
	h := ns.Events[event]
	switch event {
	case "connect":
		h = ns.Connect
	case "disconnect":
		h = ns.Disconnect
	}
	by := fmt.Sprintf("%s's %q", name, event)
	if h == nil && event != "connect" && event != "disconnect" {
		h = ns.CatchAll
	}
	if h == nil {
		return fmt.Sprintf("none: %s has no handler for %q (%s)", spec.Namespace, event, by)
	}
	return fmt.Sprintf("%s %s (for %s)", h.Pos, h.Path, by)
}

func (ru *run) rooms(s *testfile.Step) *failure {
	deadline := time.Now().Add(ru.timeout(s))
	for _, cr := range s.Rooms {
		c := ru.clients[cr.Client]
		want := []string{}
		for _, v := range cr.Rooms {
			r, err := ru.resolve(v)
			if err != nil {
				return failAt(v.Node.Pos, "", "%v", err)
			}
			want = append(want, tmpl.Stringify(r))
		}
		sort.Strings(want)
		ns := ru.test.Clients[cr.Client].Namespace
		for {
			got, ok := ru.router.Rooms(ns, c.id)
			if got == nil {
				got = []string{}
			}
			if ok && equal(toAny(want), toAny(got)) {
				break
			}
			if time.Now().After(deadline) {
				if !ok {
					return failAt(cr.Pos, "", "rooms %s: the server has no socket %s on %s", cr.Client, c.id, ns)
				}
				return failAt(cr.Pos, diff(toAny(want), toAny(got)), "rooms %s: in other rooms after %s (its own id room aside)", cr.Client, ru.timeout(s))
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return nil
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}
