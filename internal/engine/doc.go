// Package engine holds ioroute's plug-ins for the Socket.IO engine
// (github.com/zishang520/socket.io v3): a websocket transport on internal/ws, the heartbeat of
// its sessions on one timer (internal/heartbeat), a broadcast adapter that encodes each
// broadcast once, the HTTP response writer and request for upgrades, and the conversion of
// values between the engine and plain JSON values. TuneEngine installs them on a server's
// options (OwnHeartbeats the heartbeat, once the server has its engine); the hand-written
// benchmark servers call TuneEngine too.
package engine
