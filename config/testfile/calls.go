package testfile

import (
	"slices"
	"strings"

	"github.com/ioroute/ioroute/config"
)

// stubs reads a calls mapping: each key a `METHOD URL`, each value how such a call is answered.
// Placeholders are checked once a test's env is known (see test).
func (p *parser) stubs(n *config.Node) []*Stub {
	if n == nil {
		return nil
	}
	if n.Kind != config.MapNode {
		p.errs.Add(n.Pos, n.Path, "expected a mapping from `METHOD URL` to its answer, as `GET http://store.test/messages: { body: [] }`; got %s", n.Describe())
		return nil
	}
	var out []*Stub
	for _, e := range n.Entries {
		method, url, ok := p.methodURL(e.Key, e.KeyPos, config.ChildPath(n.Path, e.Key))
		if !ok {
			continue
		}
		s := &Stub{Key: method + " " + url.Node.Text, Pos: e.KeyPos, Method: method, URL: url, Status: 200}
		switch v := e.Value; {
		case v.Kind == config.MapNode:
			p.stub(s, v)
		case v.Kind == config.ScalarNode && v.Value == nil:
			// `GET http://…:` alone answers 200 with no body
		default:
			p.errs.Add(v.Pos, v.Path, "a stub answers with a mapping, as { status: 201, body: { id: 7 } }; got %s", v.Describe())
		}
		out = append(out, s)
	}
	return out
}

func (p *parser) stub(s *Stub, n *config.Node) {
	fs := p.fields(n, StubFields)
	if v := fs["status"]; v != nil {
		if i, _ := v.Value.(int); i < 100 || i > 599 {
			p.errs.Add(v.Pos, v.Path, "an HTTP status is from 100 to 599, not %s", v.Text)
		} else {
			s.Status = i
		}
	}
	if v := fs["headers"]; v != nil {
		p.headers(v)
		s.Headers = &Value{v}
	}
	if v := fs["body"]; v != nil {
		s.Body = &Value{v}
	}
	if v := fs["delay"]; v != nil {
		if d := v.Duration(); d > MaxDelay {
			p.errs.Add(v.Pos, v.Path, "a delay is at most %s: it is waited out in real time", MaxDelay)
		} else {
			s.Delay = d
		}
	}
	if v := fs["fail"]; v != nil {
		s.Fail = v.Text
		if strings.TrimSpace(s.Fail) == "" {
			p.errs.Add(v.Pos, v.Path, "fail needs the message the call fails with, as `fail: connection refused`")
		}
		for _, k := range []string{"status", "headers", "body"} {
			if fs[k] != nil {
				p.errs.Add(n.Pos, n.Path, "a stub that fails sends no reply, so it has no %s: write fail or a reply, not both", k)
			}
		}
	}
}

// headers checks a mapping of header names to values.
func (p *parser) headers(n *config.Node) {
	if n.Kind != config.MapNode {
		p.errs.Add(n.Pos, n.Path, "expected a mapping of header names to values, got %s", n.Describe())
		return
	}
	for _, e := range n.Entries {
		if e.Value.Kind != config.ScalarNode || e.Value.Value == nil {
			p.errs.Add(e.Value.Pos, e.Value.Path, "a header's value is a text, got %s", e.Value.Describe())
		}
	}
}

// methodURL reads a `METHOD URL` of a stub or a called step; the URL keeps the key's position.
func (p *parser) methodURL(key string, pos config.Pos, path string) (string, *Value, bool) {
	method, url, ok := strings.Cut(strings.TrimSpace(key), " ")
	url = strings.TrimSpace(url)
	if !ok || url == "" {
		p.errs.Add(pos, path, "expected `METHOD URL`, as \"GET http://store.test/rooms/lobby/messages\"; got %q", key)
		return "", nil, false
	}
	if !slices.Contains(Methods, method) {
		hint := "; use one of " + strings.Join(Methods, ", ")
		if up := strings.ToUpper(method); slices.Contains(Methods, up) {
			hint = "; write it in capitals, " + up
		}
		p.errs.Add(pos, path, "unknown method %q%s", method, hint)
		return "", nil, false
	}
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "${{") && !strings.HasPrefix(url, "*") {
		p.errs.Add(pos, path, "the URL %q is a whole URL, starting with http:// or https:// as the call's url does (or ${{ env.NAME }}, or *)", url)
		return "", nil, false
	}
	at := pos
	at.Col += strings.Index(key, url)
	return method, &Value{&config.Node{Kind: config.ScalarNode, Value: url, Text: url, Pos: at, Path: path}}, true
}

// mergeStubs lists a test's own stubs, then those of the file that none of them replaces.
func mergeStubs(own, file []*Stub) []*Stub {
	out := append([]*Stub(nil), own...)
	for _, f := range file {
		if !slices.ContainsFunc(own, func(s *Stub) bool { return s.Key == f.Key }) {
			out = append(out, f)
		}
	}
	return out
}

// checkStub reports the placeholders of a stub that name no variable of env, and those that
// name a socket id: the stubs are in place before any client connects.
func checkStub(s *Stub, env map[string]string, errs *config.Errors) {
	for _, v := range []*Value{s.URL, s.Headers, s.Body} {
		if v != nil {
			checkEnvOnly(v.Node, env, errs)
		}
	}
}

func checkEnvOnly(n *config.Node, env map[string]string, errs *config.Errors) {
	switch n.Kind {
	case config.MapNode:
		for _, e := range n.Entries {
			checkEnvOnly(e.Value, env, errs)
		}
	case config.ListNode:
		for _, it := range n.Items {
			checkEnvOnly(it, env, errs)
		}
	default:
		s, _ := n.Value.(string)
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			if inner := strings.TrimSpace(m[1]); clientID.MatchString(inner) {
				errs.Add(n.Pos, n.Path, "a stub is in place before any client connects, so it may hold ${{ env.NAME }} but not ${{ %s }} (a * in its URL matches any id)", inner)
				return
			}
		}
		checkValue(n, nil, env, errs)
	}
}

// called reads a called step: one request or a list of them, each a `METHOD URL` or a mapping
// from `METHOD URL` to what the request holds.
func (sp *stepParser) called(s *Step, n *config.Node) {
	items := []*config.Node{n}
	if n.Kind == config.ListNode {
		items = n.Items
	}
	for _, it := range items {
		switch {
		case it.Kind == config.ScalarNode && it.Value != nil:
			if c := sp.callCheck(it.Text, it.Pos, it.Path); c != nil {
				s.Called = append(s.Called, c)
			}
		case it.Kind == config.MapNode:
			for _, e := range it.Entries {
				c := sp.callCheck(e.Key, e.KeyPos, config.ChildPath(it.Path, e.Key))
				if c == nil {
					continue
				}
				switch v := e.Value; {
				case v.Kind == config.MapNode:
					fs := sp.fields(v, CalledFields)
					sp.oneOf(v, fs, "body", "contains")
					c.Body, c.Contains = sp.value(fs["body"]), sp.value(fs["contains"])
					if h := fs["headers"]; h != nil {
						sp.headers(h)
						c.Headers = sp.value(h)
					}
				case v.Kind == config.ScalarNode && v.Value == nil:
				default:
					sp.errs.Add(v.Pos, v.Path, "expected what the request holds, as { body: { text: hi } }, or nothing; got %s", v.Describe())
				}
				s.Called = append(s.Called, c)
			}
		default:
			sp.errs.Add(it.Pos, it.Path, "expected a request, `METHOD URL` or `METHOD URL: { body: ... }`; got %s", it.Describe())
		}
	}
}

func (sp *stepParser) callCheck(key string, pos config.Pos, path string) *CallCheck {
	method, url, ok := sp.methodURL(key, pos, path)
	if !ok {
		return nil
	}
	sp.value(url.Node)
	return &CallCheck{Key: method + " " + url.Node.Text, Pos: pos, Method: method, URL: url}
}
