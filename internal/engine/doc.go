// Package engine holds ioroute's plug-ins for the Socket.IO engine
// (github.com/zishang520/socket.io v3): a websocket transport on internal/ws, a broadcast
// adapter that encodes each broadcast once, the HTTP response writer for upgrades, and the
// conversion of values between the engine and plain JSON values. TuneEngine installs them on
// a server's options; the hand-written benchmark servers call it too.
package engine
