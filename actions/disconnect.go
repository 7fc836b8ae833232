package actions

import (
	"slices"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// Disconnect disconnects the sender, or other sockets of its namespace.
type Disconnect struct {
	// ids name the sockets to disconnect; nil means the sender.
	ids   rooms
	close bool
	// refuses is set in a connect handler (not in an on_ack of it): the sender is still
	// connecting, and disconnecting it refuses it.
	refuses bool
}

var _ Action = (*Disconnect)(nil)

func init() {
	Register(&Spec{
		Name: "disconnect",
		Doc: "Disconnects sockets of the namespace. `disconnect: {}` disconnects the sender: no later step of the handler runs, " +
			"and in a `connect` handler it refuses the socket, as `reject` does (without a message). " +
			"`disconnect: <id or list>`, short for `socket`, disconnects those sockets, on any node; the handler goes on, unless the " +
			"sender is one of them. With `close: true` their whole connection ends (every namespace), as Node's `disconnect(true)`; " +
			"otherwise only this namespace.",
		Fields: []config.Field{
			{Name: "socket", Type: config.TextList, Doc: "Socket id(s) to disconnect; without it, the sender. An expression that yields no id disconnects nobody.", Example: "socket: ${{ data.id }}"},
			{Name: "close", Type: config.Bool, Default: false, Doc: "End the sockets' whole connection, every namespace of the client, not only this one."},
		},
		Shorthand: "socket",
		Example:   "- disconnect: { socket: \"${{ data.id }}\", close: true }\n  when: socket.data.role == \"admin\"",
		New: func(b *Builder) Action {
			if n := b.Node("socket"); n != nil && n.Kind == config.ScalarNode && n.Value == nil && !n.Invalid {
				b.Errorf("socket", "write disconnect: {} to disconnect the sender, or name socket ids, such as disconnect: ${{ data.id }}")
				return nil
			}
			d := &Disconnect{close: b.Bool("close"), refuses: b.InScope(tmpl.ConnectScope) && !b.InScope(tmpl.AckScope)}
			if !b.Has("socket") {
				if b.InScope(tmpl.DisconnectScope) {
					b.Errorf("", "in a disconnect handler the sender is already leaving; to disconnect other sockets, name them: disconnect: { socket: ... }")
					return nil
				}
				return d
			}
			d.ids = rooms(roomList(b, "socket", "socket id",
				"name socket ids, such as disconnect: ${{ data.id }}, or write disconnect: {} to disconnect the sender"))
			if d.ids == nil {
				return nil // reported
			}
			return d
		},
	})
}

// UsesSocket reports whether the ids read socket.
func (d *Disconnect) UsesSocket() bool { return d.ids.UsesSocket() }

// Run disconnects. Disconnecting the sender ends the run: with a Rejection while it is
// connecting, else with ErrStopped.
func (d *Disconnect) Run(ctx *Context) error {
	if d.ids == nil {
		if d.refuses {
			return &Rejection{Close: d.close}
		}
		if err := ctx.Conn.Disconnect(nil, d.close); err != nil {
			return err
		}
		return ErrStopped
	}
	ids, err := d.ids.evalField(ctx.Env, "socket")
	if err != nil {
		return err
	}
	self := slices.Contains(ids, ctx.Conn.ID())
	if self && d.refuses {
		ids = slices.DeleteFunc(ids, func(id string) bool { return id == ctx.Conn.ID() })
	}
	if len(ids) > 0 {
		if err := ctx.Conn.Disconnect(ids, d.close); err != nil {
			return err
		}
	}
	switch {
	case self && d.refuses:
		return &Rejection{Close: d.close}
	case self:
		return ErrStopped
	}
	return nil
}
