#!/usr/bin/env node
// Drives one socket.io-client 4 per server of a cluster, spawned by the Go tests.
//
//   node cluster-clients.mjs '{"urls": ["http://127.0.0.1:A/chat", ...], "redis": "redis://..."}'
//
// The servers run the chat of examples/cluster/cluster.yaml. Client i (0-based, one per URL):
//   1. everyone emits message "b<i>";
//   2. clients 0 and 2 join room "lobby" (acknowledged);
//      client 1 emits to-room {room: lobby, text: "r1"}, then client 0 emits {text: "r0"};
//   3. @socket.io/redis-emitter emits room-news "from-emitter" to room lobby of /chat, then
//      new-message "emitter-end" to everyone;
//   4. client 2 emits others "o2", client 0 emits others "o0";
//   5. the emitter makes every socket join room "vip" (socketsJoin) and emits vip-news "v" to it;
//   6. through the Node server (the last URL): "count" (fetchSockets across the cluster) and
//      "poll" (a broadcast with acknowledgements; client i answers "a<i>"), printed as
//      {"type":"count","count":N} and {"type":"poll","replies":[...]};
//   7. client 0 emits ask <client 2's id> and client 1 emits ask <client 0's id>: the config
//      emits question to that socket, on whichever server, and relays its acknowledgement
//      ("answer from <i>") back as answer;
//   8. each client emits message "end<i>", and the script waits until every client has
//      received every end marker: each server publishes in order, so by then everything sent
//      before has arrived (or never will); and until every client has "emitter-end".
// Then it prints one line per client: {"type":"received","client":i,"events":[[name, arg], ...]}
// and {"type":"done"}. On a deadline (15 s) it prints {"type":"timeout","message":"..."} and
// exits 1.
import { io } from "socket.io-client";
import { Emitter } from "@socket.io/redis-emitter";
import { createClient } from "redis";

const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const { urls, redis } = JSON.parse(process.argv[2] ?? "{}");
if (!Array.isArray(urls) || urls.length === 0 || typeof redis !== "string") {
  process.stderr.write("usage: node cluster-clients.mjs '{\"urls\": [...], \"redis\": \"redis://...\"}'\n");
  process.exit(2);
}

const deadline = setTimeout(() => {
  print({ type: "timeout", message: `stuck at: ${stage}`, received });
  process.exit(1);
}, 15000);
let stage = "connecting";

const received = urls.map(() => []);
const waiters = [];
const settle = () => {
  for (const w of [...waiters]) {
    if (w.test()) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  }
};
const until = (test) => new Promise((resolve) => {
  waiters.push({ test, resolve });
  settle();
});

const sockets = urls.map((url, i) => {
  const s = io(url, { transports: ["websocket"], reconnection: false, forceNew: true });
  s.onAny((name, arg) => {
    received[i].push([name, arg]);
    settle();
  });
  s.on("poll-question", (_q, ack) => ack(`a${i}`));
  s.on("question", (_q, ack) => ack(`answer from ${i}`));
  return s;
});
await Promise.all(sockets.map((s) => new Promise((resolve, reject) => {
  s.on("connect", resolve);
  s.on("connect_error", (err) => reject(new Error(`connect_error: ${err.message}`)));
})));

const has = (i, name, arg) => received[i].some(([n, a]) => n === name && a === arg);

stage = "broadcast";
sockets.forEach((s, i) => s.emit("message", `b${i}`));

stage = "join";
await Promise.all([0, 2].map((i) => sockets[i].emitWithAck("join", "lobby")));

stage = "room emits";
sockets[1].emit("to-room", { room: "lobby", text: "r1" });
sockets[0].emit("to-room", { room: "lobby", text: "r0" });

stage = "emitter";
const client = createClient({ url: redis });
await client.connect();
const chat = new Emitter(client).of("/chat");
chat.to("lobby").emit("room-news", "from-emitter");
chat.emit("new-message", "emitter-end"); // to everyone, after it on the same connection

stage = "include_self false";
sockets[2].emit("others", "o2");
sockets[0].emit("others", "o0");

stage = "emitter socketsJoin";
chat.socketsJoin("vip");
chat.to("vip").emit("vip-news", "v");

stage = "count";
const last = sockets[sockets.length - 1];
print({ type: "count", count: await last.emitWithAck("count") });
stage = "poll";
const replies = await last.emitWithAck("poll");
print({ type: "poll", replies: Array.isArray(replies) ? replies.sort() : replies });

stage = "ask across nodes";
sockets[0].emit("ask", sockets[2].id); // ioroute A asks the Node server's socket
sockets[1].emit("ask", sockets[0].id); // ioroute B asks ioroute A's socket
await until(() => has(0, "answer", "answer from 2") && has(1, "answer", "answer from 0"));

stage = "end markers";
sockets.forEach((s, i) => s.emit("message", `end${i}`));
await until(() => received.every((_, r) => urls.every((_, i) => has(r, "new-message", `end${i}`))));
// the emitter's messages went out on their own connection: wait for its end marker
await until(() => received.every((_, r) => has(r, "new-message", "emitter-end") && has(r, "vip-news", "v")));

received.forEach((events, i) => print({ type: "received", client: i, events }));
print({ type: "done" });
clearTimeout(deadline);
sockets.forEach((s) => s.disconnect());
await client.quit();
