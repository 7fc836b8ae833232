#!/usr/bin/env node
// A Node socket.io 4 server that sends numbers JSON cannot hold, spawned by the Go tests to
// compare ioroute's packets with Node's (router/encode_test.go, which holds the same handlers
// as an ioroute config):
//
//   /chat "inf" (with an ack)  acknowledges with 1/0
//   /chat "nan"                emits "nan" NaN, then "nested" with NaN, ±Infinity, -0 and
//                              numbers JavaScript writes in exponent form
//
//   node json-server.mjs
//
// It listens on a free loopback port and prints {"type":"listening","port":N}. It stops on
// SIGTERM.
import { createServer } from "node:http";
import { Server } from "socket.io";

const http = createServer();
const io = new Server(http);
io.of("/chat").on("connection", (socket) => {
  socket.on("inf", (ack) => ack(1 / 0));
  socket.on("nan", () => {
    socket.emit("nan", 0 / 0);
    socket.emit("nested", { a: -1 / 0, b: [0 / 0, 1, 2.5], c: -0, d: 1e21, e: 1e-7, f: "x" });
  });
});

http.listen(0, "127.0.0.1", () => process.stdout.write(JSON.stringify({ type: "listening", port: http.address().port }) + "\n"));

process.on("SIGTERM", () => {
  io.close();
  process.exit(0);
});
