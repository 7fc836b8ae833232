package actions

import (
	"fmt"
	"maps"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// Set merges keys into the socket's data (socket.data).
type Set struct {
	keys []string
	vals []tmpl.Template
}

var _ Action = (*Set)(nil)

func init() {
	Register(&Spec{
		Name: "set",
		Doc: "Merges keys into the socket's data, `socket.data` (Node's `socket.data`): each key takes its value, and a key set to " +
			"`null` is removed. Later steps of the run, and later events of the socket, read the new `socket.data`; `sockets()` and " +
			"other nodes' `fetchSockets` see it. The data lasts as long as the socket, at most `server.limits.socket_data_bytes` " +
			"as JSON: a set that would pass that fails and leaves the data as it was. A value is stored as it would be sent.",
		Fields: []config.Field{
			{Name: "values", Type: config.ValueMap, Doc: "The keys to set, each with its value."},
		},
		Shorthand:     "values",
		ShorthandOnly: true,
		Example:       "- set: { nick: \"${{ data.name }}\", role: admin }",
		New: func(b *Builder) Action {
			n := b.Node("values")
			if n.Kind != config.MapNode {
				b.Errorf("values", "set takes a mapping of keys to values, such as set: { nick: \"${{ data.name }}\" }, got %s; "+
					"to store one value, name its key: set: { profile: \"${{ data }}\" }", n.Describe())
				return nil
			}
			if len(n.Entries) == 0 {
				b.Errorf("values", "set: {} sets nothing; name the keys to set, such as set: { nick: \"${{ data.name }}\" }")
				return nil
			}
			s := &Set{}
			for _, e := range n.Entries {
				s.keys = append(s.keys, e.Key)
				s.vals = append(s.vals, b.track(tmpl.Compile(e.Value, b.scopes, b.errs)))
			}
			return s
		},
	})
}

// Run evaluates the values and stores the merged data. The socket's map is never changed in
// place (Conn.Data): a new one replaces it.
func (s *Set) Run(ctx *Context) error {
	cur := ctx.Conn.Data()
	next := make(map[string]any, len(cur)+len(s.keys))
	maps.Copy(next, cur)
	for i, k := range s.keys {
		v, err := s.vals[i].Eval(ctx.Env)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		if v == nil {
			delete(next, k)
			continue
		}
		if next[k], err = sendableValue(v, ctx.Env.Args, "socket.data"+keyStep(k)); err != nil {
			return err
		}
	}
	if err := ctx.Conn.SetData(next); err != nil {
		return err
	}
	ctx.Env.Socket.Data = next
	return nil
}
