package engine

import (
	"io"
	"log/slog"

	"github.com/zishang520/socket.io/servers/engine/v3"
	sio "github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// TuneEngine gives a Socket.IO server on ioroute's engine (github.com/zishang520/socket.io
// servers/socket/v3) the transport ioroute serves with: each broadcast encoded once;
// websocket connections whose queued frames go out together in one write, with a bounded
// queue per connection (a client that lets more than 8 MiB wait is disconnected and logged to
// log; nil discards the log); and websocket frames read by ioroute, on Linux through an epoll
// set, so that an idle connection holds no goroutine. Polling and websocket stay the
// transports; a server that turns on permessage-deflate keeps the engine's websocket
// transport. Everything else in opts is left as it is.
//
// ioroute calls it for its own server. The benchmark's hand-written chat calls it too, so
// ioroute's config layer can be measured against hand-written code on the same path. The
// Upgrades returned tell an HTTP front which sessions are upgrading to the websocket
// transport (see Upgrades). The heartbeat of websocket sessions is ioroute's only once
// OwnHeartbeats is called on the server, after it has its engine.
func TuneEngine(opts *sio.ServerOptions, log *slog.Logger) *Upgrades {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	u := &Upgrades{}
	opts.SetTransports(types.NewSet[engine.TransportCtor](engine.Polling, &wsTransportCtor{log: log, opts: opts, upgrades: u}))
	opts.SetAdapter(broadcastAdapterBuilder{})
	return u
}
