package cluster

import (
	"fmt"

	sio "github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/ioroute/ioroute/internal/cluster/wire"
	"github.com/ioroute/ioroute/internal/engine"
)

// remoteSocket is a socket of another server, as that server's answer to fetchSockets
// describes it. The engine's broadcast operator wraps it in a sio.RemoteSocket on this
// node's adapter, whose joins, leaves, disconnects and emits reach it through the cluster.
type remoteSocket struct {
	id        sio.SocketId
	handshake *sio.Handshake
	rooms     *types.Set[sio.Room]
	data      any
}

var _ sio.SocketDetails = (*remoteSocket)(nil)

func (s *remoteSocket) Id() sio.SocketId            { return s.id }
func (s *remoteSocket) Handshake() *sio.Handshake   { return s.handshake }
func (s *remoteSocket) Rooms() *types.Set[sio.Room] { return s.rooms }
func (s *remoteSocket) Data() any                   { return s.data }

// NewRemoteSocket reads one socket of an answer to fetchSockets. Its values are converted as those of this
// node's clients are (engine.Incoming: integral numbers become int, msgpack's sized numbers
// too), so an expression reads a socket of any server alike.
func NewRemoteSocket(f wire.FetchedSocket) *remoteSocket {
	rooms := types.NewSet[sio.Room]()
	for _, r := range f.Rooms {
		rooms.Add(sio.Room(r))
	}
	return &remoteSocket{id: sio.SocketId(f.ID), handshake: handshakeOf(f.Handshake), rooms: rooms,
		data: engine.Incoming([]any{f.Data})[0]}
}

// handshakeOf reads a handshake with Node's names (engine.HandshakeMap writes them) into the
// engine's. Headers and query parameters keep Node's single values (a list stays a list).
func handshakeOf(m map[string]any) *sio.Handshake {
	h := &sio.Handshake{Headers: types.IncomingHttpHeaders{}, Query: types.ParsedUrlQuery{}, Auth: map[string]any{}}
	if m == nil {
		return h
	}
	engine.IncomingMap(m)
	h.Time, _ = m["time"].(string)
	h.Address, _ = m["address"].(string)
	h.Xdomain, _ = m["xdomain"].(bool)
	h.Secure, _ = m["secure"].(bool)
	h.Url, _ = m["url"].(string)
	switch n := m["issued"].(type) {
	case int:
		h.Issued = int64(n)
	case float64:
		h.Issued = int64(n)
	}
	if headers, ok := m["headers"].(map[string]any); ok {
		for k, v := range headers {
			h.Headers[k] = stringValues(v)
		}
	}
	if query, ok := m["query"].(map[string]any); ok {
		for k, v := range query {
			h.Query[k] = stringValues(v)
		}
	}
	if auth, ok := m["auth"].(map[string]any); ok {
		h.Auth = auth
	}
	return h
}

// stringValues is a header's or query parameter's value as the engine keeps one: a string,
// or a list of strings.
func stringValues(v any) any {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = fmt.Sprint(e)
		}
		return out
	}
	return fmt.Sprint(v)
}
