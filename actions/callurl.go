package actions

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// A call's url is where a client's data meets the network, so what a client may choose is
// decided at load time: the scheme and host are written out or read from the environment
// (fixed at load, as the server settings are), and each value placed after them is escaped —
// as one path segment (as JavaScript's encodeURIComponent does) or as a query value — so it
// can neither change the host nor climb out of its segment.

// callURL is a call's url compiled: a fixed origin, then a path and query of literal text and
// escaped values.
type callURL struct {
	// origin is scheme://host[:port], fixed at load.
	origin *url.URL
	parts  []urlPart
}

// urlPart is literal text, or an expression whose value is escaped where it stands.
type urlPart struct {
	lit   string
	value tmpl.Template
	// query is set for a value after the "?": it is escaped as a query value, else as a
	// path segment.
	query bool
}

// compileCallURL compiles the url field n, reporting what is wrong into errs; nil when it
// cannot be used.
func compileCallURL(n *config.Node, scopes tmpl.Scopes, errs *config.Errors) *callURL {
	s, ok := n.Value.(string)
	if !ok || n.Kind != config.ScalarNode {
		errs.Add(n.Pos, n.Path, "expected a URL such as \"http://127.0.0.1:8080/messages\", got %s", n.Describe())
		return nil
	}
	before := len(*errs)
	parts, ok := tmpl.CompileParts(n, s, scopes, errs)
	if !ok {
		return nil
	}
	// env values are fixed at load: they become literal text, as if written out
	var merged []tmpl.Part
	for _, p := range parts {
		if p.Expr != nil {
			if name, isEnv := config.EnvName(p.Source); isEnv {
				v, set := config.LookupEnv(name)
				if !set {
					errs.Add(p.Pos, n.Path, "environment variable %s is not set (a call's url reads it at load)", name)
					return nil
				}
				p = tmpl.Part{Lit: v}
			}
		}
		if p.Expr == nil && len(merged) > 0 && merged[len(merged)-1].Expr == nil {
			merged[len(merged)-1].Lit += p.Lit
			continue
		}
		merged = append(merged, p)
	}
	if len(*errs) > before {
		return nil
	}
	prefix := ""
	if len(merged) > 0 && merged[0].Expr == nil {
		prefix = merged[0].Lit
		merged = merged[1:]
	}
	origin, rest, err := splitOrigin(prefix, len(merged) > 0)
	if err != nil {
		at := n.Pos
		if len(merged) > 0 {
			at = merged[0].Pos
		}
		errs.Add(at, n.Path, "%v", err)
		return nil
	}
	u := &callURL{origin: origin}
	inQuery := strings.ContainsAny(rest, "?#")
	if rest != "" {
		u.parts = append(u.parts, urlPart{lit: rest})
	}
	for _, p := range merged {
		if p.Expr == nil {
			u.parts = append(u.parts, urlPart{lit: p.Lit})
			inQuery = inQuery || strings.ContainsAny(p.Lit, "?#")
			continue
		}
		u.parts = append(u.parts, urlPart{value: p.Expr, query: inQuery})
	}
	if _, err := u.build(func(urlPart) (string, error) { return "x", nil }); err != nil {
		errs.Add(n.Pos, n.Path, "%v", err)
		return nil
	}
	return u
}

// splitOrigin cuts the literal start of a url into its origin and the rest. dynamic says an
// expression follows prefix: then prefix must hold the whole origin and the "/" or "?" that
// ends it, so that no expression can reach the host.
func splitOrigin(prefix string, dynamic bool) (*url.URL, string, error) {
	fix := "write the scheme and host out, such as url: http://127.0.0.1:8080/messages/${{ data.id }}, " +
		"or read them from the environment: url: ${{ env.BACKEND_URL }}/messages"
	i := strings.Index(prefix, "://")
	if i < 0 {
		if dynamic {
			return nil, "", fmt.Errorf("the url's scheme and host must be fixed at load, so that a client cannot choose them; %s", fix)
		}
		return nil, "", fmt.Errorf("%q is not an http:// or https:// URL", prefix)
	}
	end := strings.IndexAny(prefix[i+3:], "/?#")
	if end < 0 {
		if dynamic {
			return nil, "", fmt.Errorf("an expression sits in the url's host, where a client could choose where the call goes; %s", fix)
		}
		end = len(prefix) - i - 3
	}
	end += i + 3
	o, err := url.Parse(prefix[:end])
	switch {
	case err != nil:
		return nil, "", fmt.Errorf("the url's origin is not a URL: %v", errors.Unwrap(err))
	case o.Scheme != "http" && o.Scheme != "https":
		return nil, "", fmt.Errorf("the url must start with http:// or https://")
	case o.Host == "":
		return nil, "", fmt.Errorf("the url names no host; %s", fix)
	}
	rest := prefix[end:]
	if strings.HasPrefix(rest, "#") {
		return nil, "", errors.New("the url's fragment (#…) is never sent; remove it")
	}
	return o, rest, nil
}

// eval builds the url for one run, escaping each value where it stands.
func (u *callURL) eval(env *tmpl.Env) (*url.URL, error) {
	return u.build(func(p urlPart) (string, error) {
		v, err := p.value.Eval(env)
		if err != nil {
			return "", err
		}
		if p.query {
			return url.QueryEscape(tmpl.Stringify(v)), nil
		}
		return url.PathEscape(tmpl.Stringify(v)), nil
	})
}

// build joins the origin, the literal text and the values render gives, and checks that the
// result has the origin's host and no "." or ".." path segment (PathEscape leaves dots as they
// are, and a server would resolve such a segment against the path before it).
func (u *callURL) build(render func(urlPart) (string, error)) (*url.URL, error) {
	var b strings.Builder
	b.WriteString(u.origin.String())
	for _, p := range u.parts {
		if p.value == nil {
			b.WriteString(p.lit)
			continue
		}
		s, err := render(p)
		if err != nil {
			return nil, err
		}
		b.WriteString(s)
	}
	out, err := url.Parse(b.String())
	if err != nil {
		return nil, fmt.Errorf("the url is not a URL: %v", errors.Unwrap(err))
	}
	if out.Scheme != u.origin.Scheme || out.Host != u.origin.Host || out.User.String() != u.origin.User.String() {
		return nil, errors.New("the url's values changed its host") // escaping makes this unreachable; kept as a guard
	}
	for _, seg := range strings.Split(out.EscapedPath(), "/") {
		if seg == "." || seg == ".." {
			return nil, fmt.Errorf("the url's path has a %q segment, which would climb out of the path the config wrote", seg)
		}
	}
	if out.Fragment != "" {
		return nil, errors.New("the url's fragment (#…) is never sent; remove it")
	}
	return out, nil
}
