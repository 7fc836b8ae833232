// Package wire is the codec of Node's @socket.io/redis-adapter (classic pub/sub), so that
// ioroute nodes and Node servers share one cluster. A broadcast is published on
// "<key>#<nsp>#", or on "<key>#<nsp>#<room>#" when it targets exactly one room, as the
// msgpack array [uid, packet, opts]: packet is {type, data, nsp} and opts is {rooms, except,
// flags}. Requests between servers go on "<key>-request#<nsp>#" and answers on
// "<key>-response#<nsp>#", as JSON objects (msgpack when they carry binary), each with a
// numeric type.
package wire
