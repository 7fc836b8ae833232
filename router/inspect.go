package router

import (
	"maps"
	"slices"

	sio "github.com/zishang520/socket.io/servers/socket/v3"
)

// UseEnv makes expressions read env from env instead of the process's environment, so that
// `ioroute test` gives each test its own. Call it before Start.
func (r *Router) UseEnv(env map[string]string) {
	r.environ = maps.Clone(env)
	if r.environ == nil {
		r.environ = map[string]string{}
	}
}

// Rooms returns the rooms the socket with id is in on this node, besides its own id room,
// sorted; ok is false when no such socket is connected to namespace.
func (r *Router) Rooms(namespace, id string) (rooms []string, ok bool) {
	ns := r.namespace(namespace)
	if ns == nil {
		return nil, false
	}
	s, found := ns.Sockets().Load(sio.SocketId(id))
	if !found || s == nil {
		return nil, false
	}
	for _, room := range s.Rooms().Keys() {
		if string(room) != id {
			rooms = append(rooms, string(room))
		}
	}
	slices.Sort(rooms)
	return rooms, true
}
