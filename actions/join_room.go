package actions

// JoinRoom adds the sender to rooms.
type JoinRoom struct{ rooms }

var _ Action = (*JoinRoom)(nil)

func init() {
	Register(&Spec{
		Name:      "join_room",
		Doc:       "The sender joins the room(s). `join_room: <room or list>` is the short form.",
		Fields:    roomField,
		Shorthand: "room",
		Example:   "- join_room: ${{ data.roomName }}",
		New: func(b *Builder) Action {
			return &JoinRoom{rooms(roomList(b, "room", "room", "write a string or a list of strings, such as join_room: ${{ data.room }}"))}
		},
	})
}

// Run joins the rooms.
func (j *JoinRoom) Run(ctx *Context) error {
	names, err := j.eval(ctx.Env)
	if err != nil {
		return err
	}
	return ctx.Conn.Join(names...)
}
