#!/usr/bin/env node
// A Node socket.io 4 server with @socket.io/redis-streams-adapter and connection state
// recovery, in a cluster with ioroute nodes, spawned by the Go tests: the chat of the
// streams tests' config (router/streams_test.go) written by hand.
//
//   node streams-server.mjs <redis-url>
//
// A new socket of /chat gets "welcome". Events of /chat: "join" (joins room r, names the socket, acknowledges "joined"), "say" (to
// room r), "other" (to room other), "shout" (to everyone but the sender), "whoami"
// (acknowledges {id, rooms, data, recovered}), "count" (acknowledges the number of sockets of
// /chat on every server, fetchSockets), "poll" (asks every socket "question" with an
// acknowledgement, emitWithAck, and acknowledges with the answers).
//
// It listens on a free loopback port and prints {"type":"listening","port":N}, then one line
// per connection, {"type":"connected","id":"...","recovered":bool}, and per disconnection,
// {"type":"disconnected","id":"...","reason":"..."}. It stops on SIGTERM.
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { createClient } from "redis";

const url = process.argv[2];
if (!url) {
  process.stderr.write("usage: node streams-server.mjs <redis-url>\n");
  process.exit(2);
}
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");

const redis = createClient({ url });
redis.on("error", (err) => process.stderr.write(`redis: ${err.message}\n`));
await redis.connect();

const http = createServer();
const io = new Server(http, {
  adapter: createAdapter(redis),
  connectionStateRecovery: { maxDisconnectionDuration: 30000, skipMiddlewares: true },
});
const chat = io.of("/chat");
chat.on("connection", (socket) => {
  print({ type: "connected", id: socket.id, recovered: socket.recovered });
  if (!socket.recovered) socket.emit("welcome", socket.id);
  socket.on("join", (name, ack) => {
    socket.join("r");
    socket.data = { name };
    if (typeof ack === "function") ack("joined");
  });
  socket.on("say", (data) => chat.to("r").emit("msg", data));
  socket.on("other", (data) => chat.to("other").emit("msg", data));
  socket.on("shout", (data) => socket.broadcast.emit("msg", data));
  socket.on("whoami", (ack) =>
    ack({ id: socket.id, rooms: [...socket.rooms], data: socket.data ?? null, recovered: socket.recovered }),
  );
  socket.on("count", async (ack) => ack((await chat.fetchSockets()).length));
  socket.on("poll", async (ack) => {
    try {
      ack(await chat.timeout(3000).emitWithAck("question", "who"));
    } catch (err) {
      ack({ error: err.message });
    }
  });
  socket.on("disconnect", (reason) => print({ type: "disconnected", id: socket.id, reason }));
});

http.listen(0, "127.0.0.1", () => print({ type: "listening", port: http.address().port }));

process.on("SIGTERM", async () => {
  io.close();
  await Promise.allSettled([redis.quit()]);
  process.exit(0);
});
