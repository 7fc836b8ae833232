package actions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/backend"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// Call asks a backend over HTTP and keeps its reply for the later steps of the run.
type Call struct {
	url     *callURL
	method  string
	names   []string
	headers []tmpl.Template
	body    tmpl.Template
	timeout time.Duration
}

var _ Action = (*Call)(nil)

// callMethods are the methods a call may use.
var callMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

// headerName is an HTTP header name (RFC 9110's token).
var headerName = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// hopHeaders are headers the HTTP client writes itself; a config's value would be ignored or
// would corrupt the request.
var hopHeaders = []string{"host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer", "keep-alive"}

func init() {
	Register(&Spec{
		Name: "call",
		Doc: "Asks a backend over HTTP and waits for its reply, within `timeout`. The later steps of the run read the reply as " +
			"`response.status`, `response.headers` (names in lower case) and `response.body` (the decoded value when the reply is JSON, " +
			"else the text; `nil` when it has no body); `response` is the latest call's. Any HTTP status is a reply: the step goes on " +
			"and the config reads `response.status`. No reply within the timeout, a connection that fails, a reply over " +
			"`server.limits.call_body_bytes`, and more calls waiting at once than `server.limits.calls_in_flight` fail the step " +
			"(its `on_error` runs). Redirects are not followed. " +
			"The url's scheme and host are written out or read from the environment (`${{ env.BACKEND_URL }}/messages`), fixed at load, " +
			"so a client can never choose them; each value placed in the path is escaped as one path segment (as encodeURIComponent does, " +
			"so `../admin` stays inside it) and each value in the query as a query value. " +
			"Connections to a backend are kept alive and reused. The call holds only its own handler run: the socket's later events wait " +
			"for it (at most `timeout`), and every other socket goes on. In a `connect` handler it is how a backend authorizes: " +
			"`call`, then `reject` when `response.status != 200`.",
		Fields: []config.Field{
			{Name: "url", Type: config.Text, Required: true, Doc: "The URL to call. Scheme and host written out or from `env`; the path and query may embed `${{ }}`, whose values are escaped.",
				Example: "url: http://127.0.0.1:8080/rooms/${{ data.room }}/messages"},
			{Name: "method", Type: config.String, Default: "POST", Doc: "The HTTP method: " + strings.Join(callMethods, ", ") + "."},
			{Name: "headers", Type: config.ValueMap, Doc: "Request headers, each a text that may embed `${{ }}`.",
				Example: "headers: { Authorization: \"Bearer ${{ env.BACKEND_TOKEN }}\" }"},
			{Name: "body", Type: config.Value, Doc: "The request body, sent as JSON (Content-Type: application/json unless `headers` names another). Without it, no body."},
			{Name: "timeout", Type: config.Duration, Default: "5s", Doc: "How long to wait for the whole reply; past it the step fails."},
		},
		Provides: tmpl.ResponseScope,
		Example: "- call:\n    url: http://127.0.0.1:8080/rooms/${{ data.room }}/messages\n    headers: { Authorization: \"Bearer ${{ env.BACKEND_TOKEN }}\" }\n" +
			"    body: '${{ {\"text\": data.text, \"from\": socket.id} }}'\n    timeout: 2s\n" +
			"- ack: ${{ response.body.id }}\n  when: response.status == 201",
		New: newCall,
	})
}

// newCall compiles a call step.
func newCall(b *Builder) Action {
	c := &Call{method: "POST", timeout: 5 * time.Second, body: b.Value("body")}
	if n := b.Node("url"); n != nil {
		c.url = compileCallURL(n, b.scopes, b.errs)
		if c.url == nil {
			return nil
		}
	}
	if n := b.Node("method"); n != nil {
		c.method = strings.ToUpper(n.Text)
		if !slices.Contains(callMethods, c.method) {
			b.Errorf("method", "unknown method %q; use one of %s", n.Text, strings.Join(callMethods, ", "))
		}
	}
	if c.body != nil && (c.method == "GET" || c.method == "HEAD") {
		b.Errorf("body", "a %s request has no body; send the values in the url's query, or use POST", c.method)
	}
	if n := b.Node("headers"); n != nil && n.Kind == config.MapNode {
		for _, e := range n.Entries {
			switch {
			case !headerName.MatchString(e.Key):
				b.errs.Add(e.KeyPos, config.ChildPath(n.Path, e.Key), "%q is not a header name", e.Key)
			case slices.Contains(hopHeaders, strings.ToLower(e.Key)):
				b.errs.Add(e.KeyPos, config.ChildPath(n.Path, e.Key), "%s is written by the HTTP client itself and cannot be set", e.Key)
			}
			c.names = append(c.names, e.Key)
			c.headers = append(c.headers, b.track(headerText(e.Value, b)))
		}
	}
	if b.Has("timeout") {
		if c.timeout = b.Duration("timeout"); c.timeout == 0 {
			b.Errorf("timeout", "must be more than 0")
		}
	}
	return c
}

// headerText compiles one header's value, a text.
func headerText(n *config.Node, b *Builder) tmpl.Template {
	if s, ok := n.Value.(string); ok && n.Kind == config.ScalarNode {
		return tmpl.CompileText(n, s, b.scopes, b.errs)
	}
	if n.Kind != config.ScalarNode || n.Value == nil {
		b.errs.Add(n.Pos, n.Path, "a header's value is a text, got %s", n.Describe())
		return tmpl.Const("")
	}
	return tmpl.Const(tmpl.Stringify(n.Value))
}

// Waits is true: the call waits for the backend's answer (Steps.Waits).
func (c *Call) Waits() bool { return true }

// UsesSocket reports whether the call's expressions read socket.
func (c *Call) UsesSocket() bool {
	if c.url == nil {
		return false
	}
	for _, p := range c.url.parts {
		if p.value != nil && p.value.UsesSocket() {
			return true
		}
	}
	return false // headers and body are tracked by the builder
}

// defaultCalls makes the calls of a Context without a client of its own.
var defaultCalls = backend.New(nil, func() backend.Limits {
	l := config.DefaultServer().Limits
	return backend.Limits{InFlight: l.CallsInFlight, BodyBytes: l.CallBodyBytes}
})

// Run makes the request, waits for the reply and keeps it as response.
func (c *Call) Run(ctx *Context) error {
	u, err := c.url.eval(ctx.Env)
	if err != nil {
		return fmt.Errorf("url: %w", err)
	}
	var body []byte
	if c.body != nil {
		v, err := c.body.Eval(ctx.Env)
		if err != nil {
			return fmt.Errorf("body: %w", err)
		}
		if v, err = sendableValue(v, ctx.Env.Args, "body"); err != nil {
			return err
		}
		if body, err = json.Marshal(v); err != nil {
			return fmt.Errorf("body: %w", err)
		}
	}
	req, err := http.NewRequest(c.method, u.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("url: %w", err)
	}
	if c.body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	} else {
		req.Header.Set("Content-Type", "application/json")
	}
	for i, name := range c.names {
		v, err := c.headers[i].Eval(ctx.Env)
		if err != nil {
			return fmt.Errorf("headers.%s: %w", name, err)
		}
		s := tmpl.Stringify(v)
		if strings.ContainsAny(s, "\r\n\x00") {
			return fmt.Errorf("headers.%s: the value holds a line break or a NUL, which would end the header", name)
		}
		req.Header.Set(name, s)
	}
	calls := ctx.Calls
	if calls == nil {
		calls = defaultCalls
	}
	reply, err := calls.Do(req, c.timeout)
	if err != nil {
		return err
	}
	ctx.Env.Response = tmpl.Response{Status: reply.Status, Headers: reply.Headers, Body: reply.Body}
	return nil
}
