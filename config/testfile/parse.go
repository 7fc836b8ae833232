package testfile

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ioroute/ioroute/config"
)

// Load reads and parses the test file at path.
func Load(path string) (*File, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, src)
}

// Parse parses a test file; name is used in positions and to find the config. Every problem
// is reported at once, as config.Errors, so that a file with any is not run at all.
func Parse(name string, src []byte) (*File, error) {
	root, err := config.ParseTree(name, src)
	if root == nil {
		return nil, err
	}
	p := &parser{}
	p.errs.Append(err)
	f := &File{Name: name, Config: DefaultConfig(name), ConfigPos: config.Pos{File: name, Line: 1, Col: 1}}
	if root.Kind != config.MapNode {
		p.errs.Add(root.Pos, "", "expected a mapping with `tests`, got %s", root.Describe())
		return nil, p.errs.Err()
	}
	top := p.fields(root, TopFields)
	if n := top["config"]; n != nil {
		f.Config, f.ConfigPos = n.Text, n.Pos
		if !filepath.IsAbs(n.Text) {
			f.Config = filepath.Join(filepath.Dir(name), n.Text)
		}
	}
	if n := top["redis"]; n != nil {
		f.Redis, _ = n.Value.(bool)
	}
	env := p.env(top["env"])
	clients, order := p.clients(top["clients"])
	stubs := p.stubs(top["calls"])
	if n := top["tests"]; n != nil {
		if n.Kind != config.ListNode {
			p.errs.Add(n.Pos, n.Path, "expected a list of tests (each starting with \"- name: ...\"), got %s", n.Describe())
		} else {
			for _, it := range n.Items {
				if t := p.test(it, env, clients, order, stubs); t != nil {
					f.Tests = append(f.Tests, t)
				}
			}
		}
	}
	if err := dedupe(p.errs).Err(); err != nil {
		return nil, err
	}
	return f, nil
}

// dedupe drops repeated problems: the file's clients are checked once per test.
func dedupe(errs config.Errors) config.Errors {
	seen := map[string]bool{}
	var out config.Errors
	for _, e := range errs {
		if !seen[e.Error()] {
			seen[e.Error()] = true
			out = append(out, e)
		}
	}
	return out
}

// DefaultConfig is the config a test file tests when it names none: its own name without
// `.test`, chat.test.yaml testing chat.yaml.
func DefaultConfig(testFile string) string {
	for _, ext := range []string{".test.yaml", ".test.yml"} {
		if base, ok := strings.CutSuffix(testFile, ext); ok {
			return base + ext[len(".test"):]
		}
	}
	return testFile
}

type parser struct {
	errs config.Errors
}

// fields checks mapping n against spec (unknown and missing keys, literal types) and returns
// its values by key.
func (p *parser) fields(n *config.Node, spec []config.Field) map[string]*config.Node {
	out := map[string]*config.Node{}
	if n.Kind != config.MapNode {
		p.errs.Add(n.Pos, n.Path, "expected a mapping, got %s", n.Describe())
		return out
	}
	known := make([]string, len(spec))
	for i, f := range spec {
		known[i] = f.Name
	}
	for _, e := range n.Entries {
		f, ok := config.Lookup(spec, e.Key)
		if !ok {
			p.errs.Add(e.KeyPos, config.ChildPath(n.Path, e.Key), "unknown field%s", config.Suggest(e.Key, known))
			continue
		}
		switch f.Type {
		case config.String, config.Bool, config.Int, config.Duration, config.StringList:
			before := len(p.errs)
			config.CheckType(e.Value, f, &p.errs)
			if len(p.errs) > before {
				continue
			}
		}
		out[e.Key] = e.Value
	}
	for _, f := range spec {
		if f.Required && n.Get(f.Name) == nil {
			p.errs.Add(n.Pos, n.Path, "missing required field %q", f.Name)
		}
	}
	return out
}

// env reads an env mapping of names to scalar values.
func (p *parser) env(n *config.Node) map[string]string {
	out := map[string]string{}
	if n == nil {
		return out
	}
	if n.Kind != config.MapNode {
		p.errs.Add(n.Pos, n.Path, "expected a mapping of variable names to values, got %s", n.Describe())
		return out
	}
	for _, e := range n.Entries {
		if e.Value.Kind != config.ScalarNode {
			p.errs.Add(e.Value.Pos, e.Value.Path, "an environment variable holds text, not a %s", e.Value.Describe())
			continue
		}
		out[e.Key] = e.Value.Text
	}
	return out
}

// clients reads a clients mapping; its values are checked for placeholders once a test's env
// is known (see test).
func (p *parser) clients(n *config.Node) (map[string]*Client, []string) {
	out := map[string]*Client{}
	var order []string
	if n == nil {
		return out, nil
	}
	if n.Kind != config.MapNode {
		p.errs.Add(n.Pos, n.Path, "expected a mapping of client names to clients, got %s", n.Describe())
		return out, nil
	}
	for _, e := range n.Entries {
		c := &Client{Name: e.Key, Pos: e.KeyPos, Namespace: "/", Protocol: 4}
		v := e.Value
		switch {
		case v.Kind == config.ScalarNode && v.Value != nil:
			c.Namespace = v.Text
		case v.Kind == config.MapNode:
			p.client(c, v)
		case v.Kind == config.ScalarNode:
		default:
			p.errs.Add(v.Pos, v.Path, "a client is its namespace (`ann: /chat`) or a mapping with namespace, auth, query, jwt and protocol; got %s", v.Describe())
		}
		if !strings.HasPrefix(c.Namespace, "/") {
			p.errs.Add(v.Pos, v.Path, "namespace names start with \"/\", as in \"/%s\"", c.Namespace)
		}
		out[e.Key] = c
		order = append(order, e.Key)
	}
	return out, order
}

func (p *parser) client(c *Client, n *config.Node) {
	fs := p.fields(n, ClientFields)
	if v := fs["namespace"]; v != nil {
		c.Namespace = v.Text
	}
	if v := fs["auth"]; v != nil {
		p.mapping(v, "auth")
		c.Auth = &Value{v}
	}
	if v := fs["query"]; v != nil {
		p.mapping(v, "query")
		c.Query = &Value{v}
	}
	if v := fs["protocol"]; v != nil {
		if i, _ := v.Value.(int); i != 3 && i != 4 {
			p.errs.Add(v.Pos, v.Path, "protocol is 4 (socket.io-client 3 and 4) or 3 (socket.io-client 2), not %s", v.Text)
		} else {
			c.Protocol = i
		}
	}
	if v := fs["jwt"]; v != nil {
		c.JWT = p.jwt(v)
	}
}

func (p *parser) mapping(n *config.Node, what string) {
	if n.Kind != config.MapNode {
		p.errs.Add(n.Pos, n.Path, "expected a mapping for %s, got %s", what, n.Describe())
	}
}

func (p *parser) jwt(n *config.Node) *JWT {
	fs := p.fields(n, JWTFields)
	j := &JWT{ExpiresIn: time.Hour}
	secret := fs["secret"]
	if secret == nil {
		def, _ := config.Lookup(JWTFields, "secret")
		secret = &config.Node{Kind: config.ScalarNode, Value: def.Default, Text: def.Default.(string), Pos: n.Pos, Path: config.ChildPath(n.Path, "secret")}
	}
	j.Secret = &Value{secret}
	if v := fs["sub"]; v != nil {
		j.Sub = v.Text
	}
	if v := fs["aud"]; v != nil {
		j.Aud = v.Text
	}
	if v := fs["expires_in"]; v != nil {
		j.ExpiresIn = v.Duration()
	}
	if v := fs["expired"]; v != nil {
		j.Expired, _ = v.Value.(bool)
	}
	return j
}

// test reads one test; env, clients, order and stubs are the file's.
func (p *parser) test(n *config.Node, fileEnv map[string]string, fileClients map[string]*Client, fileOrder []string, fileStubs []*Stub) *Test {
	fs := p.fields(n, TestFields)
	t := &Test{Pos: n.Pos, Timeout: DefaultTimeout, Env: maps.Clone(fileEnv), Clients: maps.Clone(fileClients), Order: append([]string(nil), fileOrder...)}
	if v := fs["name"]; v != nil {
		t.Name = v.Text
	}
	if v := fs["timeout"]; v != nil {
		t.Timeout = v.Duration()
	}
	maps.Copy(t.Env, p.env(fs["env"]))
	own, order := p.clients(fs["clients"])
	for _, name := range order {
		if _, dup := t.Clients[name]; !dup {
			t.Order = append(t.Order, name)
		}
		t.Clients[name] = own[name]
	}
	for _, name := range t.Order {
		c := t.Clients[name]
		for _, v := range []*Value{c.Auth, c.Query} {
			if v != nil {
				checkValue(v.Node, t.Clients, t.Env, &p.errs)
			}
		}
		if c.JWT != nil {
			checkValue(c.JWT.Secret.Node, t.Clients, t.Env, &p.errs)
		}
	}
	t.Calls = mergeStubs(p.stubs(fs["calls"]), fileStubs)
	for _, s := range t.Calls {
		checkStub(s, t.Env, &p.errs)
	}
	steps := fs["steps"]
	if steps == nil {
		return t
	}
	if steps.Kind != config.ListNode {
		p.errs.Add(steps.Pos, steps.Path, "expected a list of steps (each line starting with \"- \", as in - connect: ann), got %s", steps.Describe())
		return t
	}
	st := &stepParser{parser: p, test: t, connected: map[string]bool{}}
	for _, it := range steps.Items {
		if s := st.step(it); s != nil {
			t.Steps = append(t.Steps, s)
		}
	}
	return t
}
