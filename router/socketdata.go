package router

import (
	"encoding/json"
	"fmt"
	"slices"

	sio "github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/ioroute/ioroute/internal/tmpl"
)

// noData is the data of a socket nothing was set for. It is shared: data maps are never
// changed in place (actions.Conn.Data).
var noData = map[string]any{}

// Data is the socket's data. It is kept in the engine's socket, as Node keeps socket.data,
// so the cluster's fetchSockets answers carry it.
func (c *conn) Data() map[string]any {
	if m, ok := c.s.Data().(map[string]any); ok {
		return m
	}
	return noData
}

// SetData makes data the socket's data, within server.limits.socket_data_bytes.
func (c *conn) SetData(data map[string]any) error {
	limit := c.r.live().Limits.SocketDataBytes
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("socket.data cannot be stored: %w", err)
	}
	if len(b) > limit {
		return fmt.Errorf("socket.data would take %d bytes as JSON, more than the %d of server.limits.socket_data_bytes; it keeps its previous value", len(b), limit)
	}
	c.s.SetData(data)
	if a := c.r.admin; a != nil {
		a.dataUpdated(c.ns, c.ID(), data)
	}
	return nil
}

// Disconnect disconnects the socket itself (no ids) or the sockets with ids, on every node of
// a cluster (the namespace's adapter sends the request).
func (c *conn) Disconnect(ids []string, close bool) error {
	if len(ids) == 0 {
		c.s.Disconnect(close)
		return nil
	}
	c.s.Nsp().In(rooms(ids)...).DisconnectSockets(close)
	return nil
}

// CloseRoom makes every socket of the namespace in rooms leave them, on every node.
func (c *conn) CloseRoom(names []string) error {
	rs := rooms(names)
	c.s.Nsp().In(rs...).SocketsLeave(rs...)
	return nil
}

// ListSockets lists the namespace's sockets (in any of rooms, when given), cluster-wide, for
// sockets(). A socket whose disconnect handler is running is not listed: it is leaving.
func (c *conn) ListSockets(names []string) ([]map[string]any, error) {
	skip := ""
	if c.leaving.Load() {
		skip = c.ID()
	}
	out, err := describeSockets(c.s.Nsp().In(rooms(names)...), skip)
	if err != nil {
		return out, fmt.Errorf("sockets(): %w", err)
	}
	return out, nil
}

// describeSockets fetches the sockets op selects, on every node, and describes each as
// sockets() and the API list them: {id, rooms, data}, socket.data without what an admin UI
// keeps in it. The socket with id skip is left out. Fetching waits for the other nodes, within
// the cluster's timeout; on a timeout the sockets that did answer come with the error.
func describeSockets(op *sio.BroadcastOperator, skip string) ([]map[string]any, error) {
	type result struct {
		sockets []*sio.RemoteSocket
		err     error
	}
	done := make(chan result, 1)
	op.FetchSockets()(func(s []*sio.RemoteSocket, err error) { done <- result{s, err} })
	res := <-done
	out := make([]map[string]any, 0, len(res.sockets))
	for _, s := range res.sockets {
		id := string(s.Id())
		if id == skip {
			continue
		}
		data, _ := withoutAdmin(s.Data())
		out = append(out, map[string]any{"id": id, "rooms": anyList(idFirst(id, s.Rooms().Keys())), "data": data})
	}
	return out, res.err
}

// withoutAdmin is a socket's data without what an admin UI keeps in it (_admin, which other
// nodes' fetchSockets answers carry, Node's as ioroute's), and that, when present.
func withoutAdmin(v any) (data, admin map[string]any) {
	m, _ := v.(map[string]any)
	if m == nil {
		return noData, nil
	}
	adm, ok := m["_admin"]
	if !ok {
		return m, nil
	}
	data = make(map[string]any, len(m)-1)
	for k, x := range m {
		if k != "_admin" {
			data[k] = x
		}
	}
	admin, _ = adm.(map[string]any)
	return data, admin
}

// idFirst lists a socket's rooms as socket.rooms does: its own id room first, then the
// others sorted.
func idFirst(id string, rs []sio.Room) []string {
	out := make([]string, 1, len(rs)+1)
	out[0] = id
	for _, r := range rs {
		if string(r) != id {
			out = append(out, string(r))
		}
	}
	slices.Sort(out[1:])
	return out
}

// anyList is names as the list expressions read.
func anyList(names []string) []any {
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = n
	}
	return out
}

// rooms converts names to the engine's rooms.
func rooms(names []string) []sio.Room {
	rs := make([]sio.Room, len(names))
	for i, n := range names {
		rs[i] = sio.Room(n)
	}
	return rs
}

var _ tmpl.SocketLister = (*conn)(nil)
