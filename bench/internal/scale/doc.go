// Package scale is the machinery of `make bench-scale` (bench/cmd/scalebench): many websocket
// clients in /chat through a cluster of nodes joined by one redis-server, all on one machine.
//
// StartCluster starts redis-server and the nodes (ioroute, or Node socket.io with
// @socket.io/redis-adapter). Run starts load-generator processes (the calling program again,
// which runs RunWorker when WorkerEnv is set: MaybeWorker), each with its own loopback source
// address, and drives them over their stdin and stdout, one JSON line per command or answer:
// connect your share of the clients, send broadcast q, stop reading (the stalled clients),
// flood their room, report. Each client records when every broadcast arrived; all processes
// share the machine's clock, so the parent compares those times with the send times directly.
//
// A process may hold only so many open files (20,000 here), so clients are split over nodes
// and over workers; neither needs more than its share.
package scale
