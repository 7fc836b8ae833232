package actions

import "github.com/ioroute/ioroute/config"

// Send sends the unnamed `message` event, by default to the sender (Flask-SocketIO's send).
type Send struct{ *emitter }

var _ Action = (*Send)(nil)

func init() {
	Register(&Spec{
		Name:            "send",
		Doc:             "Sends the unnamed `message` event, as emit does for named events. `send: <value>` sends that value to the sender.",
		Fields:          fieldsOf(payloadFields, targetFields, []config.Field{broadcastField}, ackFields),
		Shorthand:       "data",
		ShorthandObject: "to send an object",
		Example:         "- send: ${{ data }}",
		New: func(b *Builder) Action {
			return &Send{newEmitter(b, nil, false)}
		},
	})
}
