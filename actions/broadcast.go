package actions

import "github.com/ioroute/ioroute/config"

// Broadcast sends a named event to every socket of the namespace, or of the rooms in `to`.
type Broadcast struct{ *emitter }

var _ Action = (*Broadcast)(nil)

func init() {
	Register(&Spec{
		Name: "broadcast",
		Doc: "Emit with `broadcast: true`: every socket of the namespace receives the event, the sender " +
			"too unless `include_self: false`; with `to`, only the sockets in those rooms.",
		Fields: fieldsOf([]config.Field{
			{Name: "event", Type: config.Text, Required: true, Doc: "Name of the event to send.", Example: "event: new-message"},
		}, payloadFields, targetFields),
		Example: "- broadcast:\n    event: new-message\n    data: ${{ data }}",
		New: func(b *Builder) Action {
			return &Broadcast{newEmitter(b, b.Text("event"), true)}
		},
	})
}
