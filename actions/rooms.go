package actions

import (
	"fmt"

	"github.com/ioroute/ioroute/config"
	"github.com/ioroute/ioroute/internal/tmpl"
)

// roomField names the room(s) of join_room and leave_room.
var roomField = []config.Field{
	{Name: "room", Type: config.TextList, Required: true, Doc: "Room name, or a list of them.", Example: "room: ${{ data.roomName }}"},
}

// rooms evaluates room templates into names.
type rooms []tmpl.Template

func (r rooms) eval(env *tmpl.Env) ([]string, error) {
	var out []string
	for _, t := range r {
		v, err := t.Eval(env)
		if err != nil {
			return nil, fmt.Errorf("room: %w", err)
		}
		names, err := roomNames(v)
		if err != nil {
			return nil, fmt.Errorf("room: %w", err)
		}
		out = append(out, names...)
	}
	return out, nil
}

func (r rooms) UsesSocket() bool {
	for _, t := range r {
		if t.UsesSocket() {
			return true
		}
	}
	return false
}
