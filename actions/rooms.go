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

// roomList compiles a field that names rooms or socket ids (room, to): one string or a list of
// strings. What would fail or do nothing on every event is reported now, with fix saying what
// to write instead: an empty list, and a value that reads nothing of the event yet names no
// room, such as `${{ {"a": 1} }}` or "". noun is what the field names ("room").
func roomList(b *Builder, name, noun, fix string) []tmpl.Template {
	n := b.Node(name)
	if n == nil {
		return nil
	}
	if n.Kind == config.ListNode && len(n.Items) == 0 {
		b.Errorf(name, "an empty list names no %s; %s", noun, fix)
		return nil
	}
	before := len(*b.errs)
	ts := b.TextList(name)
	if len(*b.errs) > before {
		return ts // an item did not compile: what it yields is unknown
	}
	items := []*config.Node{n}
	if n.Kind == config.ListNode {
		items = n.Items
	}
	for i, t := range ts {
		if t.UsesSocket() {
			continue
		}
		v, err := t.Eval(nil)
		if err != nil {
			continue // it reads the event
		}
		it := items[i]
		if names, err := roomNames(v); err != nil {
			b.errs.Add(it.Pos, it.Path, "%v, whatever the event; %s", err, fix)
		} else if len(names) == 0 {
			b.errs.Add(it.Pos, it.Path, "this yields an empty list, whatever the event, so it names no %s; %s", noun, fix)
		}
	}
	return ts
}

// rooms evaluates room templates into names.
type rooms []tmpl.Template

func (r rooms) eval(env *tmpl.Env) ([]string, error) { return r.evalField(env, "room") }

// evalField is eval for a field of another name, which errors name.
func (r rooms) evalField(env *tmpl.Env, field string) ([]string, error) {
	var out []string
	for _, t := range r {
		v, err := t.Eval(env)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
		names, err := roomNames(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
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
