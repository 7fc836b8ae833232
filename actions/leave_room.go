package actions

// LeaveRoom removes the sender from rooms.
type LeaveRoom struct{ rooms }

var _ Action = (*LeaveRoom)(nil)

func init() {
	Register(&Spec{
		Name:      "leave_room",
		Doc:       "The sender leaves the room(s). `leave_room: <room or list>` is the short form.",
		Fields:    roomField,
		Shorthand: "room",
		Example:   "- leave_room: ${{ data.room }}",
		New: func(b *Builder) Action {
			return &LeaveRoom{rooms(roomList(b, "room", "room", "write a string or a list of strings, such as leave_room: ${{ data.room }}"))}
		},
	})
}

// Run leaves the rooms.
func (l *LeaveRoom) Run(ctx *Context) error {
	names, err := l.eval(ctx.Env)
	if err != nil {
		return err
	}
	ctx.Conn.Leave(names...)
	return nil
}
