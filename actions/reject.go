package actions

import (
	"fmt"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// Reject refuses a connecting socket; it is allowed only in connect handlers.
type Reject struct {
	message tmpl.Template
	data    tmpl.Template
}

var _ Action = (*Reject)(nil)

// Rejection is what a reject step returns to stop the connect handler and refuse the socket.
type Rejection struct {
	Message string
	// Data is sent to Socket.IO 3.x/4.x clients with the message, ready to send (see
	// sendable); nil when not configured.
	Data any
	// Close ends the client's whole connection (every namespace) with the refusal, as a
	// disconnect step with close: true asks.
	Close bool
}

// Error describes the refusal.
func (r *Rejection) Error() string { return "connection refused: " + r.Message }

func init() {
	Register(&Spec{
		Name: "reject",
		Doc: "Refuses the connecting socket (connect handlers only, usually with `when`): the client gets " +
			"`connect_error` with `message` (and `data`, for socket.io-client 3.x/4.x; 2.x clients get the message). " +
			"No later step runs and the socket never joins a room. `reject: <message>` is the short form.",
		Fields: []config.Field{
			{Name: "message", Type: config.Text, Default: "Not authorized", Doc: "The reason the client reads in connect_error."},
			{Name: "data", Type: config.Value, Doc: "Details for socket.io-client 3.x/4.x (err.data)."},
		},
		Shorthand: "message",
		Example:   "- reject: { message: invalid token, data: { code: 401 } }\n  when: jwt(auth.token, env.JWT_SECRET) == nil",
		New: func(b *Builder) Action {
			if !b.InScope(tmpl.ConnectScope) || b.InScope(tmpl.AckScope) {
				b.Errorf("", "reject refuses a connecting socket, so it belongs in a connect handler")
				return nil
			}
			r := &Reject{message: b.Text("message"), data: b.Value("data")}
			if r.message == nil {
				r.message = tmpl.Const("Not authorized")
			}
			return r
		},
	})
}

// Run stops the handler with a Rejection.
func (r *Reject) Run(ctx *Context) error {
	if ctx.SkipRejects {
		return nil
	}
	m, err := r.message.Eval(ctx.Env)
	if err != nil {
		return fmt.Errorf("message: %w", err)
	}
	rej := &Rejection{Message: tmpl.Stringify(m)}
	if r.data != nil {
		v, err := r.data.Eval(ctx.Env)
		if err != nil {
			return fmt.Errorf("data: %w", err)
		}
		if rej.Data, err = sendableValue(v, ctx.Env.Args, "data"); err != nil {
			return err
		}
	}
	return rej
}
