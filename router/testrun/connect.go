package testrun

import (
	"net/url"
	"time"

	"github.com/ioroute/ioroute/config/testfile"
	"github.com/ioroute/ioroute/internal/tmpl"
)

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
	path := ru.table.File.Server.Path
	var err error
	if spec.Protocol == 3 {
		c.wire, err = dial3(c, ru.base, path, spec.Namespace, query, auth)
	} else {
		c.wire, err = dial4(c, ru.base, path, spec.Namespace, query, auth)
	}
	return c, err
}

// sign makes the token a client's jwt describes.
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
		if nsp := ru.table.Namespaces[ns]; nsp != nil && nsp.Connect != nil {
			if err := c.wire.sync(ru.timeout(s)); err != nil {
				return failAt(s.Pos, "", "connect %s: %v", c.name, err)
			}
		}
	}
	return nil
}

// refusal shows a refusal for a failure.
func refusal(o outcome) string {
	out := "message: " + o.message
	if o.hasData {
		out += "\ndata: " + compact(o.data)
	}
	return out
}

// refused tries to connect a client and compares the refusal with the one expected.
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
		return failAt(s.Pos, diff(*s.Message, o.message), "refused %s: another message", s.Client)
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
			hint := ""
			if ru.test.Clients[s.Client].Protocol == 3 {
				hint = "\n(a protocol 3 refusal carries its message only: Engine.IO 3 has no room for data beside it)"
			}
			return failAt(s.Data.Node.Pos, diff(want, got)+hint, "refused %s: other data", s.Client)
		}
	}
	return nil
}
