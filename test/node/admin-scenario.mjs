#!/usr/bin/env node
// The Admin UI's side of the wire, as @socket.io/admin-ui 0.5's UI speaks it, against a
// server with server.admin: spawned by the Go tests (router/admin_test.go).
//
//   node admin-scenario.mjs '<json>'
//
//   { "url": "http://127.0.0.1:PORT",          // the server
//     "admin": "/admin", "user": "/chat",       // the admin namespace and a namespace of the config
//     "username": "admin", "password": "...",
//     "adminUrl": "http://127.0.0.1:PORT2",     // optional: another node, for the admin socket
//     "servers": 2 }                            // optional: wait for server_stats from this many nodes
//
// It logs in with a wrong password, then the right one, then with the session id it was
// given; connects a user socket (polling first, so it upgrades); has the user emit an event
// that the config answers; and, from the admin socket, makes the user join and leave a room,
// emits to it, and disconnects it. It prints one JSON object: what each socket received, in
// order, then exits 0 (1 on a timeout, with what it had).

import { io } from "socket.io-client";

const opts = JSON.parse(process.argv[2]);
const adminUrl = (opts.adminUrl || opts.url) + opts.admin;
const report = { wrongPassword: null, session: null, admin: [], sessionLogin: null, user: [], userId: null };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function connect(url, o) {
  const s = io(url, { forceNew: true, reconnection: false, ...o });
  return new Promise((resolve) => {
    s.once("connect", () => resolve({ s, ok: true }));
    s.once("connect_error", (err) => resolve({ s, ok: false, message: err.message }));
  });
}

// waitFor resolves once the admin socket received an event matching pred.
function waitFor(pred, what) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      const hit = report.admin.find(pred);
      if (hit) return resolve(hit);
      if (Date.now() - t0 > 8000) return reject(new Error("no " + what));
      setTimeout(tick, 20);
    };
    tick();
  });
}

const deadline = setTimeout(() => {
  report.timeout = true;
  process.stdout.write(JSON.stringify(report) + "\n");
  process.exit(1);
}, 25000);

try {
  // 1. a wrong password is refused
  const wrong = await connect(adminUrl, { auth: { username: opts.username, password: "wrong" } });
  report.wrongPassword = wrong.ok ? "connected" : wrong.message;
  wrong.s.close();

  // 2. the right one: session, config, all_sockets, server_stats
  const admin = io(adminUrl, { forceNew: true, reconnection: false, auth: { username: opts.username, password: opts.password } });
  admin.onAny((event, ...args) => {
    if (event === "session") report.session = args[0];
    report.admin.push({ event, args });
  });
  await new Promise((resolve, reject) => {
    admin.once("connect", resolve);
    admin.once("connect_error", (e) => reject(new Error("admin connect_error: " + e.message)));
  });
  await waitFor((e) => e.event === "all_sockets", "all_sockets");
  await waitFor((e) => e.event === "server_stats", "server_stats");
  // with several nodes: until each reports (each then knows an admin is watching)
  const servers = opts.servers || 1;
  await waitFor(() => new Set(report.admin.filter((e) => e.event === "server_stats").map((e) => e.args[0].serverId)).size >= servers, `server_stats from ${servers} servers`);

  // 3. the session id logs in without the password
  const again = await connect(adminUrl, { auth: { sessionId: report.session } });
  report.sessionLogin = again.ok ? "connected" : again.message;
  again.s.close();

  // 4. a user socket, polling first so that it upgrades
  const user = io(opts.url + opts.user, { forceNew: true, reconnection: false, transports: ["polling", "websocket"] });
  user.onAny((event, ...args) => report.user.push({ event, args }));
  user.on("disconnect", (reason) => report.user.push({ event: "disconnect", args: [reason] }));
  await new Promise((resolve) => user.once("connect", resolve));
  report.userId = user.id;
  const id = user.id;
  await waitFor((e) => e.event === "socket_connected" && e.args[0].id === id, "socket_connected");
  await waitFor((e) => e.event === "socket_updated" && e.args[0].id === id && e.args[0].transport === "websocket", "socket_updated (upgrade)");

  // 5. an event from the user, which the config answers to the user alone
  user.emit("message", { text: "hi" });
  await waitFor((e) => e.event === "event_received" && e.args[1] === id, "event_received");
  await waitFor((e) => e.event === "event_sent" && e.args[1] === id, "event_sent");

  // 6. the UI's requests
  admin.emit("join", opts.user, "lobby", id);
  await waitFor((e) => e.event === "room_joined" && e.args[1] === "lobby" && e.args[2] === id, "room_joined lobby");
  admin.emit("leave", opts.user, "lobby", id);
  await waitFor((e) => e.event === "room_left" && e.args[1] === "lobby" && e.args[2] === id, "room_left lobby");
  admin.emit("emit", opts.user, id, "from-admin", 1, "two");
  admin.emit("join", 42); // wrong types: ignored
  admin.emit("_disconnect", opts.user, "nope"); // wrong types: ignored
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("no from-admin")), 5000);
    user.once("from-admin", () => { clearTimeout(t); resolve(); });
  });
  admin.emit("_disconnect", opts.user, false, id);
  await waitFor((e) => e.event === "socket_disconnected" && e.args[1] === id, "socket_disconnected");
  // one more server_stats from each server, whose aggregatedEvents count the user's disconnection
  const seen = report.admin.length;
  await waitFor(() => new Set(report.admin.slice(seen).filter((e) => e.event === "server_stats").map((e) => e.args[0].serverId)).size >= servers, "server_stats after the disconnection");
  admin.close();
  clearTimeout(deadline);
  process.stdout.write(JSON.stringify(report) + "\n");
  process.exit(0);
} catch (err) {
  report.error = String(err.message || err);
  clearTimeout(deadline);
  process.stdout.write(JSON.stringify(report) + "\n");
  process.exit(1);
}
