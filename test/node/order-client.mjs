#!/usr/bin/env node
// Socket.IO test client that sends a burst of events the moment it is connected, without
// waiting for any answer, and prints every answer in the order it arrives; spawned by the Go
// tests of the order in which a server handles a client's events.
//
//   node order-client.mjs '<json>'
//
// The JSON argument:
//   {
//     "url": "http://127.0.0.1:PORT/ns",   // namespace is the URL path
//     "version": 4 | 2,                    // socket.io-client 4.8.1 or 2.5.0 (Engine.IO 3); default 4
//     "transports": ["websocket"],         // optional; default polling, then the upgrade
//     "timeout": 10000,                    // optional overall deadline in ms; default 10000
//     "emits": [                           // sent back to back from the connect listener
//       {"event": "name", "args": [...]},  // always with an ack callback
//       {"event": "name", "args": [...], "at": "upgrade"}  // the moment the connection is upgraded
//     ],                                   // to websocket instead (at connect if it is already)
//     "holdUpgrade": true,                 // optional, version 4 with the default transports: the
//                                          // websocket opens only once the events sent at connect
//                                          // went out over polling (as on a network where the
//                                          // upgrade is slow), so those sent at the upgrade follow
//                                          // them over websocket
//     "listen": ["got"],                   // events of the server to print
//     "expect": 3                          // how many of them to wait for (besides every ack)
//   }
//
// Every answer is printed as one JSON line on stdout, in the order it arrived:
//   {"type":"connect","id":"..."}
//   {"type":"event","event":"got","args":[...]}
//   {"type":"ack","event":"name","data":<the args it was sent with>,"args":[...reply]}
// then {"type":"done"} and exit code 0 once every ack and the expected events arrived. If the
// deadline passes first, {"type":"timeout","message":"..."} and exit code 1; a connect_error
// or a disconnect before then is printed ({"type":"connect_error","message":"..."},
// {"type":"disconnect","reason":"..."}) and the script waits on to the deadline.
// Binary values are {"$binary":"<base64>"}, both ways (see plain.mjs).

import { fromPlain, toPlain } from "./plain.mjs";

process.stdout.on("error", (err) => process.exit(err.code === "EPIPE" ? 0 : 2));

function print(line) {
  process.stdout.write(JSON.stringify(line) + "\n");
}

function fail(message) {
  process.stderr.write(`order-client.mjs: ${message}\nusage: node order-client.mjs '<json>'\n`);
  process.exit(2);
}

function parseScript(argv) {
  if (argv.length !== 1) fail("expected exactly one argument");
  let script;
  try {
    script = JSON.parse(argv[0]);
  } catch (err) {
    fail(`invalid JSON: ${err.message}`);
  }
  if (script === null || typeof script !== "object" || Array.isArray(script)) fail("the argument must be a JSON object");
  if (typeof script.url !== "string" || script.url === "") fail('"url" must be a non-empty string');
  script.version = script.version ?? 4;
  if (script.version !== 4 && script.version !== 2) fail('"version" must be 4 or 2');
  script.timeout = script.timeout ?? 10000;
  if (!Number.isFinite(script.timeout) || script.timeout <= 0) fail('"timeout" must be a positive number');
  if (!Array.isArray(script.emits)) fail('"emits" must be an array');
  for (const e of script.emits) {
    if (e === null || typeof e !== "object" || typeof e.event !== "string") fail(`bad emit ${JSON.stringify(e)}`);
    if (e.args !== undefined && !Array.isArray(e.args)) fail(`"args" must be an array: ${JSON.stringify(e)}`);
    e.at = e.at ?? "connect";
    if (e.at !== "connect" && e.at !== "upgrade") fail(`"at" must be "connect" or "upgrade": ${JSON.stringify(e)}`);
  }
  if (script.holdUpgrade && (script.version !== 4 || script.transports)) fail('"holdUpgrade" needs version 4 and the default transports');
  script.listen = script.listen ?? [];
  if (!Array.isArray(script.listen) || script.listen.some((n) => typeof n !== "string")) fail('"listen" must be an array of names');
  script.expect = script.expect ?? 0;
  if (!Number.isInteger(script.expect) || script.expect < 0) fail('"expect" must be a non-negative integer');
  return script;
}

// connect returns the socket, and a function that lets a held upgrade start.
async function connect(script) {
  const opts = { forceNew: true, reconnection: false };
  if (script.transports) opts.transports = script.transports;
  let release = () => {};
  if (script.holdUpgrade) {
    // engine.io-client is socket.io-client's own transport layer (the copy it imports); its
    // websocket transport is the real one, opened later.
    const { transports } = await import("engine.io-client");
    const released = new Promise((resolve) => (release = resolve));
    class HeldWebSocket extends transports.websocket {
      doOpen() {
        released.then(() => {
          if (this.readyState === "opening") super.doOpen();
        });
      }
    }
    opts.transports = [transports.polling, HeldWebSocket];
  }
  if (script.version === 4) {
    const { io } = await import("socket.io-client");
    return [io(script.url, opts), release];
  }
  const { default: ioV2 } = await import("socket.io-client-v2");
  return [ioV2(script.url, opts), release];
}

async function main() {
  const script = parseScript(process.argv.slice(2));
  const [socket, releaseUpgrade] = await connect(script);
  let acks = 0;
  let events = 0;
  let sent = false;
  let finished = false;

  const close = () => (script.version === 4 ? socket.disconnect() : socket.close());
  const deadline = setTimeout(() => {
    print({ type: "timeout", message: `after ${script.timeout}ms: ${acks} of ${script.emits.length} acks, ${events} of ${script.expect} events` });
    close();
    process.exit(1);
  }, script.timeout);
  const check = () => {
    if (finished) return;
    if (acks === script.emits.length && events >= script.expect) {
      clearTimeout(deadline);
      finished = true;
      close();
      print({ type: "done" });
      setTimeout(() => process.exit(0), 2000).unref(); // a backstop: Node exits on its own
    }
  };

  for (const name of script.listen) {
    socket.on(name, (...args) => {
      print({ type: "event", event: name, args: toPlain(args) });
      events++;
      check();
    });
  }
  socket.on("connect_error", (err) => print({ type: "connect_error", message: String(err?.message ?? err) }));
  socket.on("disconnect", (reason) => finished || print({ type: "disconnect", reason: reason ?? null }));
  socket.on("connect", () => {
    print({ type: "connect", id: socket.id ?? null });
    if (sent) return;
    sent = true;
    // All at once, in this tick: none waits for an answer.
    const send = (at) => {
      for (const e of script.emits.filter((e) => e.at === at)) {
        socket.emit(e.event, ...fromPlain(e.args ?? []), (...reply) => {
          print({ type: "ack", event: e.event, data: e.args ?? [], args: toPlain(reply) });
          acks++;
          check();
        });
      }
    };
    send("connect");
    const engine = socket.io.engine;
    if (engine.transport.name === "websocket") {
      send("upgrade");
      return;
    }
    engine.once("upgrade", () => send("upgrade"));
    // The events sent at connect are written once the engine drains its buffer.
    if (engine.writeBuffer.length === 0) releaseUpgrade();
    else engine.once("drain", releaseUpgrade);
  });
}

main().catch((err) => {
  process.stderr.write(`order-client.mjs: ${err && err.stack ? err.stack : err}\n`);
  process.exit(2);
});
