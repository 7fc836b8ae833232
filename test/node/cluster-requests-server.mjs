#!/usr/bin/env node
// A Node socket.io 4 server in an ioroute cluster, spawned by the Go tests of requests sent
// by ioroute (fetchSockets, socketsJoin, socketsLeave, disconnectSockets):
//
//   node cluster-requests-server.mjs <redis-url>
//
// Namespace /chat, on @socket.io/redis-adapter with its defaults (answers on the shared
// response channel). Each socket's data is {server: "node", name: <auth.name>}; "join"
// joins a room and acknowledges "joined".
//
// It listens on a free loopback port and prints {"type":"listening","port":N}, then one line
// per connection: {"type":"connected","id":"..."}. It stops on SIGTERM.
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";

const url = process.argv[2];
if (!url) {
  process.stderr.write("usage: node cluster-requests-server.mjs <redis-url>\n");
  process.exit(2);
}
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");

const pub = createClient({ url });
const sub = pub.duplicate();
pub.on("error", (err) => process.stderr.write(`redis pub: ${err.message}\n`));
sub.on("error", (err) => process.stderr.write(`redis sub: ${err.message}\n`));
await Promise.all([pub.connect(), sub.connect()]);

const http = createServer();
const io = new Server(http, { adapter: createAdapter(pub, sub) });
const chat = io.of("/chat");
chat.on("connection", (socket) => {
  socket.data = { server: "node", name: socket.handshake.auth.name ?? null };
  print({ type: "connected", id: socket.id });
  socket.on("join", (room, ack) => {
    socket.join(room);
    if (typeof ack === "function") ack("joined");
  });
});

http.listen(0, "127.0.0.1", () => print({ type: "listening", port: http.address().port }));

process.on("SIGTERM", async () => {
  io.close();
  await Promise.allSettled([pub.quit(), sub.quit()]);
  process.exit(0);
});
