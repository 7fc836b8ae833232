// Package testrun runs the test files of `ioroute test` (package config/testfile) against
// their configs.
//
// Each test gets a fresh router (package router, the same code `ioroute run` serves with) on
// a free loopback port, reading the test's env, without the config's cluster adapter unless
// the file asks for Redis, and its clients connect to it over real Socket.IO connections: protocol 4 clients are the Go
// client github.com/zishang520/socket.io (socket.io-client 3/4's Engine.IO 4 over
// websocket), protocol 3 clients a small Engine.IO 3 websocket client of this package, since
// no Go client speaks it. Loopback rather than an in-process transport, because then a test
// exercises exactly what a browser would: the handshake, the namespace guard, auth, the
// engine's encoding and acknowledgements, with no second dispatch path to keep honest; it
// costs a few milliseconds per client. The config's call steps are the exception: they go to
// the test's stubs (backend.go), so that no test depends on the network or a running backend.
//
// Time is real: steps wait up to their timeout for what they expect, and a config's own
// timeouts run on the wall clock. A fake clock would have to reach every place the server
// reads time: an on_ack's timer (router/conn.go), the event rates (router/arrival.go,
// router/dispatch.go), token expiry and now() (internal/tmpl), and the engine's ping timers,
// which github.com/zishang520/socket.io gives no way to replace. Token expiry is tested by
// signing expired tokens instead (testfile.JWT.Expired), and a stub's delay is waited out (at
// most testfile.MaxDelay, and no longer than its test).
package testrun

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/config/testfile"
	"github.com/ioroute/ioroute/router"
	"github.com/ioroute/ioroute/router/table"
)

// redisURLEnv overrides the url of a config's Redis adapter, as for `ioroute run`.
const redisURLEnv = "IOROUTE_REDIS_URL"

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
	file *File
	// table is the config, loaded with the test's environment.
	table   *table.Table
	test    *testfile.Test
	router  *router.Router
	base    string
	clients map[string]*client
	printed *lines
	log     *syncBuffer
	// backend answers the config's calls from the test's stubs and records them.
	backend *stubBackend
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
	t, err := loadConfig(ru.file.Test, ru.test.Env)
	if err != nil {
		return failAt(ru.test.Pos, err.Error(), "the config does not load with this test's env")
	}
	ru.table = t
	if ru.backend, err = newStubBackend(ru.test.Calls, ru.test.Env); err != nil {
		return failAt(ru.test.Pos, "", "%v", err)
	}
	logger := slog.New(slog.NewTextHandler(ru.log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	opts := router.Options{Listen: "127.0.0.1:0", Logger: logger, Stdout: ru.printed, CallTransport: ru.backend}
	if ru.file.Test.Redis {
		// where Redis is belongs to the machine the tests run on, as for `ioroute run`
		opts.RedisURL = ru.test.Env[redisURLEnv]
		if opts.RedisURL == "" {
			opts.RedisURL = os.Getenv(redisURLEnv)
		}
	}
	r, err := router.New(t, opts)
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
	if ru.backend != nil {
		ru.backend.close()
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
	if ru.backend != nil {
		if calls := ru.backend.unanswered(); len(calls) > 0 {
			b.WriteString("  calls no stub answered (add them under `calls`):\n")
			for _, c := range calls {
				b.WriteString("    " + c + "\n")
			}
		}
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
	case "called":
		return ru.called(s)
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
