// Reference chat server for the benchmark: the same chat as examples/chat/chat.yaml, on Node's
// socket.io. Every `message` sent to /chat is re-broadcast as `new-message` to every socket of
// /chat, the sender included.
//
//   node server.js PORT            (listens on 127.0.0.1:PORT; stops on SIGTERM or SIGINT)
"use strict";

const http = require("node:http");
const { Server } = require("socket.io");

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error("usage: node server.js PORT");
  process.exit(2);
}

const httpServer = http.createServer();
const io = new Server(httpServer, {
  serveClient: false,
  allowEIO3: true, // socket.io-client 2.x, as ioroute accepts by default
  transports: ["polling", "websocket"],
});

const chat = io.of("/chat");
chat.on("connection", (socket) => {
  socket.on("message", (data) => {
    chat.emit("new-message", data);
  });
});

httpServer.listen(port, "127.0.0.1", () => {
  console.error(`socket.io ${require("socket.io/package.json").version} listening on 127.0.0.1:${port}`);
});

function stop() {
  io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
