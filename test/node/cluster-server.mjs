#!/usr/bin/env node
// A Node socket.io 4 server in an ioroute cluster, spawned by the Go tests: the chat of
// examples/cluster/cluster.yaml written by hand on socket.io with @socket.io/redis-adapter.
//
//   node cluster-server.mjs <redis-url>
//
// Beyond that chat, it answers two cluster-wide operations: "count" acknowledges with the
// number of sockets in /chat on every server (fetchSockets), and "poll" asks every socket of
// /chat for an acknowledgement (emitWithAck with a timeout) and acknowledges with the answers.
//
// It listens on a free loopback port and prints {"type":"listening","port":N}, then one line
// per connection: {"type":"connected","id":"..."}. It stops on SIGTERM.
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";

const url = process.argv[2];
if (!url) {
  process.stderr.write("usage: node cluster-server.mjs <redis-url>\n");
  process.exit(2);
}
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");

const pub = createClient({ url });
const sub = pub.duplicate();
pub.on("error", (err) => process.stderr.write(`redis pub: ${err.message}\n`));
sub.on("error", (err) => process.stderr.write(`redis sub: ${err.message}\n`));
await Promise.all([pub.connect(), sub.connect()]);

const http = createServer();
// publishOnSpecificResponseChannel: this server answers a request on the requester's own
// response channel, as recommended for clusters of many servers
const io = new Server(http, { adapter: createAdapter(pub, sub, { publishOnSpecificResponseChannel: true }) });
const chat = io.of("/chat");
chat.on("connection", (socket) => {
  print({ type: "connected", id: socket.id });
  socket.on("message", (data) => chat.emit("new-message", data));
  socket.on("others", (data) => socket.broadcast.emit("new-message", data));
  socket.on("join", (room, ack) => {
    socket.join(room);
    if (typeof ack === "function") ack("joined");
  });
  socket.on("to-room", (data) => chat.to(data.room).emit("room-news", data.text));
  // cluster-wide operations, answered by every server of the cluster
  socket.on("count", async (ack) => ack((await chat.fetchSockets()).length));
  socket.on("poll", async (ack) => {
    try {
      ack(await chat.timeout(5000).emitWithAck("poll-question", "?"));
    } catch (err) {
      ack({ error: err.message });
    }
  });
});

http.listen(0, "127.0.0.1", () => print({ type: "listening", port: http.address().port }));

process.on("SIGTERM", async () => {
  io.close();
  await Promise.allSettled([pub.quit(), sub.quit()]);
  process.exit(0);
});
