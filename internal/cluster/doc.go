// Package cluster joins a Socket.IO server to others (ioroute nodes, or Node servers with
// @socket.io/redis-adapter) over Redis pub/sub: the namespaces' adapters publish their
// broadcasts, and this node answers and sends the adapter protocol's requests. The server it
// serves is reached through Host, which the router implements; the codec is in
// internal/cluster/wire.
package cluster
