package testfile

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ioroute/ioroute/config"
)

// Value is a value written in a test file. Its strings may name what is only known while the
// test runs: `${{ bob.id }}`, the socket id of client bob, and `${{ env.NAME }}`, a variable of
// the test's env. Nothing else may stand in `${{ }}`: a test states plain values.
type Value struct {
	Node *config.Node
}

var (
	placeholder = regexp.MustCompile(`\$\{\{(.*?)\}\}`)
	clientID    = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_-]*)\.id$`)
	envName     = regexp.MustCompile(`^env\.([A-Za-z_][A-Za-z0-9_]*)$`)
)

// IDs gives the socket id of a connected client, by name.
type IDs func(client string) (string, bool)

// Resolve returns the value as plain Go values (map[string]any, []any, scalars, []byte for
// binary) with its placeholders replaced.
func (v *Value) Resolve(ids IDs, env map[string]string) (any, error) {
	if v == nil {
		return nil, nil
	}
	return resolve(v.Node.Plain(), ids, env)
}

func resolve(x any, ids IDs, env map[string]string) (any, error) {
	switch x := x.(type) {
	case string:
		return resolveText(x, ids, env)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			r, err := resolve(e, ids, env)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := resolve(e, ids, env)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return x, nil
}

func resolveText(s string, ids IDs, env map[string]string) (string, error) {
	var err error
	out := placeholder.ReplaceAllStringFunc(s, func(m string) string {
		inner := strings.TrimSpace(placeholder.FindStringSubmatch(m)[1])
		if e := envName.FindStringSubmatch(inner); e != nil {
			return env[e[1]]
		}
		name := clientID.FindStringSubmatch(inner)[1]
		id, ok := ids(name)
		if !ok && err == nil {
			err = fmt.Errorf("%s has no socket id here: it is not connected", name)
		}
		return id
	})
	return out, err
}

// checkValue reports placeholders of n that name neither a declared client nor a variable of
// env.
func checkValue(n *config.Node, clients map[string]*Client, env map[string]string, errs *config.Errors) {
	switch n.Kind {
	case config.MapNode:
		for _, e := range n.Entries {
			checkValue(e.Value, clients, env, errs)
		}
	case config.ListNode:
		for _, it := range n.Items {
			checkValue(it, clients, env, errs)
		}
	default:
		s, ok := n.Value.(string)
		if !ok {
			return
		}
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			inner := strings.TrimSpace(m[1])
			if e := envName.FindStringSubmatch(inner); e != nil {
				if _, ok := env[e[1]]; !ok {
					errs.Add(n.Pos, n.Path, "env.%s is not set: add it under the test's or the file's env", e[1])
				}
				continue
			}
			if c := clientID.FindStringSubmatch(inner); c != nil {
				if _, ok := clients[c[1]]; !ok {
					errs.Add(n.Pos, n.Path, "unknown client %q%s", c[1], config.Suggest(c[1], names(clients)))
				}
				continue
			}
			errs.Add(n.Pos, n.Path, "a test value may hold ${{ NAME.id }} (the socket id of client NAME) or ${{ env.NAME }}, not ${{ %s }}", inner)
		}
	}
}

func names(clients map[string]*Client) []string {
	out := make([]string, 0, len(clients))
	for n := range clients {
		out = append(out, n)
	}
	return out
}
