package actions

import "github.com/ioroute/ioroute/internal/tmpl"

// Ack answers the client's acknowledgement callback.
type Ack struct{ payload }

var _ Action = (*Ack)(nil)

func init() {
	Register(&Spec{
		Name: "ack",
		Doc: "Answers the client's acknowledgement callback with `data` (or several `args`). A client that " +
			"asked for none gets nothing (logged at debug level); only the first ack of an event is sent. Not in " +
			"`connect` or `disconnect` handlers, which answer no event.",
		Fields:          payloadFields,
		Shorthand:       "data",
		ShorthandObject: "to acknowledge with an object",
		Example:         "- ack: '${{ {\"sum\": data.a + data.b} }}'",
		New: func(b *Builder) Action {
			if b.InScope(tmpl.DisconnectScope) {
				b.Errorf("", "ack answers the client's acknowledgement callback, and in a disconnect handler the client is gone; "+
					"to tell the sockets that remain, use broadcast or emit with `to`")
				return nil
			}
			if b.InScope(tmpl.ConnectScope) {
				b.Errorf("", "ack answers an event's acknowledgement callback, and a connecting client sent no event; "+
					"to answer it, use emit (it goes to the connecting socket)")
				return nil
			}
			return &Ack{newPayload(b)}
		},
	})
}

// UsesSocket reports whether the answer reads socket.
func (a *Ack) UsesSocket() bool { return a.usesSocket() }

// Run sends the acknowledgement.
func (a *Ack) Run(ctx *Context) error {
	if ctx.Ack == nil {
		ctx.Log.Debug("ack skipped: the client asked for no acknowledgement", "event", ctx.Env.Event)
		return nil
	}
	if ctx.Acked {
		ctx.Log.Debug("ack skipped: this event was already acknowledged", "event", ctx.Env.Event)
		return nil
	}
	args, err := a.eval(ctx.Env)
	if err != nil {
		return err
	}
	ctx.Acked = true
	ctx.Ack(args)
	return nil
}
