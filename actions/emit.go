package actions

import "github.com/ioroute/ioroute/config"

// Emit sends a named event, by default to the sender (Flask-SocketIO's emit).
type Emit struct{ *emitter }

var _ Action = (*Emit)(nil)

func init() {
	Register(&Spec{
		Name: "emit",
		Doc: "Sends a named event. Without `to` or `broadcast` it goes to the sender; `to` sends to rooms " +
			"or socket ids, `broadcast: true` to the whole namespace. `on_ack` runs when the one target socket acknowledges.",
		Fields: fieldsOf([]config.Field{
			{Name: "event", Type: config.Text, Required: true, Doc: "Name of the event to send.", Example: "event: my response"},
		}, payloadFields, targetFields, []config.Field{broadcastField}, ackFields),
		Example: "- emit:\n    event: new-user\n    data: ${{ data }}\n    on_ack:\n      - print: message was received",
		New: func(b *Builder) Action {
			return &Emit{newEmitter(b, b.Text("event"), false)}
		},
	})
}
