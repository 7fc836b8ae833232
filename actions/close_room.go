package actions

// CloseRoom empties rooms: every socket of the namespace in them leaves them.
type CloseRoom struct{ rooms }

var _ Action = (*CloseRoom)(nil)

func init() {
	Register(&Spec{
		Name: "close_room",
		Doc: "Every socket of the namespace that is in the room(s) leaves them, on every node (Flask-SocketIO's `close_room`, " +
			"Node's `socketsLeave`); the sockets stay connected. `close_room: <room or list>` is the short form.",
		Fields:    roomField,
		Shorthand: "room",
		Example:   "- close_room: ${{ data.room }}",
		New: func(b *Builder) Action {
			return &CloseRoom{rooms(roomList(b, "room", "room", "write a string or a list of strings, such as close_room: ${{ data.room }}"))}
		},
	})
}

// Run closes the rooms.
func (c *CloseRoom) Run(ctx *Context) error {
	names, err := c.eval(ctx.Env)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return nil // an expression that named no room this time
	}
	return ctx.Conn.CloseRoom(names)
}
