// Package streams joins a Socket.IO server to others (ioroute nodes, or Node servers with
// @socket.io/redis-streams-adapter 0.3) over a Redis stream, wire-compatible with that
// adapter, and keeps connection state recovery sessions in Redis so that a client recovers
// on any server of the cluster.
//
// What travels where, as in the Node adapter:
//   - broadcasts without acknowledgement, socketsJoin, socketsLeave and disconnectSockets are
//     entries of one stream (default "socket.io"; XADD MAXLEN ~ maxlen), with the fields uid,
//     nsp, type (socket.io-adapter's ClusterAdapter message type, in decimal) and data (JSON,
//     or the base64 of its msgpack when it holds binary); every server reads the stream with
//     XREAD. The entry's id is the offset a recovering client sends back.
//   - requests that wait for answers (fetchSockets, broadcasts with acknowledgements) are
//     msgpack messages published on "<key>#<nsp>#", answered on "<key>#<nsp>#<uid>#"; the
//     servers of a namespace are counted as that channel's subscribers (PUBSUB NUMSUB).
//   - a socket that drops keeps its session under "<session prefix><pid>" (the base64 of
//     msgpack {sid, pid, rooms, data}), set with PX = server.recovery.max_disconnection; a
//     reconnecting client's session is taken with GET and DEL in one transaction (a pid is
//     used once) and its offset must still be in the stream, else it is a new socket.
//
// Where ioroute differs from the Node adapter:
//   - Local delivery never waits for Redis when no offset is needed: without recovery, and
//     for volatile packets, local-only broadcasts, acknowledgement requests and the
//     join/leave/disconnect requests, this node acts first and publishes after (Node awaits
//     XADD before acting locally). With recovery, a broadcast's offset is the id Redis gives
//     its entry, so this node's own broadcasts reach its sockets when the stream gives them
//     back, in stream order with everyone else's (Node delivers its own right after XADD
//     answers, which can interleave differently with entries read meanwhile, and make a
//     client recover an entry twice). The handler that broadcast never waits; while Redis
//     is away, or when XADD fails, the broadcast is delivered at once, without offset. What
//     XADD answered is kept until the reader passes its id, so a node whose reader falls
//     more than maxlen behind (its entry trimmed before it was read) still delivers its own
//     broadcasts; other nodes' trimmed entries are lost to it, as with Node.
//   - A restored session's missed packets are sent once the socket is admitted, ordered with
//     the live entries around them; volatile entries are not replayed (Node replays them).
//   - Sessions carry the namespace they were made in and are restored there only (Node
//     restores a pid in any namespace); sessions Node servers wrote have no namespace and
//     are accepted as Node does. A socket id still connected on this node is not restored
//     twice.
//   - With recovery, this node's broadcast entries carry one more field, ioroute-seq (its own
//     number for them, which Node's servers ignore), by which it knows them when it reads
//     them back.
//   - streamCount (several streams) and sharded pub/sub are not supported: one stream, and
//     classic PUBLISH/SUBSCRIBE.
//   - serverSideEmit is not answered (ioroute has no server-side listeners; a Node server
//     without listeners does not answer either).
package streams
