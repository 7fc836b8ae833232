#!/usr/bin/env node
// Scriptable Socket.IO test client, spawned by the Go tests.
//
//   node client.mjs '<json>'
//
// The JSON argument:
//   {
//     "url": "http://127.0.0.1:PORT/chat",   // namespace is the URL path
//     "version": 4 | 2,                      // socket.io-client 4.8.1 or 2.5.0 (Engine.IO 3); default 4
//     "transports": ["websocket"],           // optional
//     "auth": {...},                         // optional; v2 has no auth payload, so it is sent as query parameters
//     "query": {...},                        // optional handshake query parameters
//     "path": "/socket.io",                  // optional server path
//     "extraHeaders": {...},                 // optional HTTP headers for the handshake
//     "timeout": 10000,                      // optional overall deadline in ms; default 10000
//     "ackReply": [...],                     // optional: answer server-requested acks with these args
//     "steps": [
//       {"wait": "connect"},                 // next connect or connect_error (either way, go on)
//       {"wait": "disconnect"},              // next disconnect
//       {"emit": "event", "args": [...], "ack": true},  // with ack: wait for and print the reply;
//                                                       // the string "$socketId" in args is this socket's id
//       {"expect": "event", "count": 2},     // until 2 such events were received in all (default 1)
//       {"sleep": 250},                      // milliseconds
//       {"disconnect": true},
//       {"cut": true},                       // version 4: close the transport as a network loss
//                                            // would (socket.io.engine.close()) and wait for the
//                                            // disconnect; the socket keeps its pid and offset
//       {"touch": "/tmp/f"},                 // create the file: a signal to the test or to another client
//       {"waitFile": "/tmp/f"},              // wait until the file exists
//       {"connect": true}                    // connect again (then {"wait": "connect"});
//       {"connect": true, "url": "http://127.0.0.1:PORT"}  // ... to another server (the same namespace)
//     ]
//   }
//
// Every socket event is printed as one JSON line on stdout:
//   {"type":"connect","id":"...","recovered":false}  (recovered: version 4 only)
//   {"type":"connect_error","message":"...","data":...}  (data null if none;
//       with version 2 a refusal that carries only data has message null)
//   {"type":"event","event":"name","args":[...]}
//   {"type":"ack","event":"name","args":[...]}
//   {"type":"disconnect","reason":"..."}
// then {"type":"done"} and exit code 0. If the deadline passes first:
//   {"type":"timeout","step":N,"message":"..."} and exit code 1.
// A bad argument prints a message on stderr and exits with code 2.
//
// Binary values are printed as {"$binary":"<base64>"}, and such an object in
// "args" or "ackReply" is sent as binary.

import { existsSync, writeFileSync } from "node:fs";
import { fromPlain, toPlain } from "./plain.mjs";

const USAGE = "usage: node client.mjs '<json>'";

function fail(message) {
  process.stderr.write(`client.mjs: ${message}\n${USAGE}\n`);
  process.exit(2);
}

// If the reader goes away there is no one left to tell: stop quietly.
process.stdout.on("error", (err) => process.exit(err.code === "EPIPE" ? 0 : 2));

function print(line) {
  process.stdout.write(JSON.stringify(line) + "\n");
}

// withSocketId replaces every string "$socketId" in value with the socket's id, as a page
// that sends its own socket.id does.
function withSocketId(value, id) {
  if (value === "$socketId") return id;
  if (Array.isArray(value)) return value.map((v) => withSocketId(v, id));
  if (value && typeof value === "object" && value.constructor === Object) {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = withSocketId(v, id);
    return out;
  }
  return value;
}

function parseScript(argv) {
  if (argv.length !== 1) fail("expected exactly one argument");
  let script;
  try {
    script = JSON.parse(argv[0]);
  } catch (err) {
    fail(`invalid JSON: ${err.message}`);
  }
  if (script === null || typeof script !== "object" || Array.isArray(script)) {
    fail("the argument must be a JSON object");
  }
  if (typeof script.url !== "string" || script.url === "") fail('"url" must be a non-empty string');
  script.version = script.version ?? 4;
  if (script.version !== 4 && script.version !== 2) fail('"version" must be 4 or 2');
  script.timeout = script.timeout ?? 10000;
  if (!Number.isFinite(script.timeout) || script.timeout <= 0) fail('"timeout" must be a positive number');
  script.steps = script.steps ?? [];
  if (!Array.isArray(script.steps)) fail('"steps" must be an array');
  script.steps.forEach((step, i) => {
    const bad = (why) => fail(`step ${i}: ${why}: ${JSON.stringify(step)}`);
    if (step === null || typeof step !== "object") bad("not an object");
    if ("wait" in step) {
      if (step.wait !== "connect" && step.wait !== "disconnect") bad('"wait" must be "connect" or "disconnect"');
    } else if ("emit" in step) {
      if (typeof step.emit !== "string") bad('"emit" must be a string');
      if (step.args !== undefined && !Array.isArray(step.args)) bad('"args" must be an array');
    } else if ("expect" in step) {
      if (typeof step.expect !== "string") bad('"expect" must be a string');
      if (step.count !== undefined && !(Number.isInteger(step.count) && step.count >= 0)) bad('"count" must be a non-negative integer');
    } else if ("sleep" in step) {
      if (!Number.isFinite(step.sleep) || step.sleep < 0) bad('"sleep" must be a non-negative number');
    } else if ("cut" in step) {
      if (script.version !== 4) bad('"cut" needs version 4');
    } else if ("touch" in step || "waitFile" in step) {
      if (typeof (step.touch ?? step.waitFile) !== "string") bad('"touch" and "waitFile" need a file path');
    } else if (!("disconnect" in step) && !("connect" in step)) {
      bad("unknown step");
    }
  });
  if (script.ackReply !== undefined && !Array.isArray(script.ackReply)) fail('"ackReply" must be an array');
  return script;
}

async function makeSocket(script) {
  const common = { forceNew: true, reconnection: false };
  if (script.transports) common.transports = script.transports;
  if (script.path) common.path = script.path;
  if (script.extraHeaders) common.extraHeaders = script.extraHeaders;

  if (script.version === 4) {
    const { io } = await import("socket.io-client");
    const opts = { ...common };
    if (script.auth) opts.auth = script.auth;
    if (script.query) opts.query = script.query;
    return io(script.url, opts);
  }

  const { default: ioV2 } = await import("socket.io-client-v2");
  const opts = { ...common };
  const query = { ...(script.query ?? {}), ...(script.auth ?? {}) };
  if (Object.keys(query).length > 0) opts.query = query;
  return ioV2(script.url, opts);
}

// Calls listener(event, args, ack) for every event the server sends, in both
// client versions; ack is the reply function when the server asked for an
// ack, else null.
function onAnyEvent(socket, version, listener) {
  const split = (args) => {
    const last = args[args.length - 1];
    return typeof last === "function" ? [args.slice(0, -1), last] : [args, null];
  };
  if (version === 4) {
    socket.onAny((event, ...args) => listener(event, ...split(args)));
    return;
  }
  // socket.io-client 2 has no onAny: replace the method that dispatches
  // incoming events (this script registers no per-event listeners, so
  // nothing else needs it). Events that arrive before the connect is seen are
  // held back until then.
  const early = [];
  const deliver = (packet) => {
    const [event, ...args] = packet.data || [];
    const ack = packet.id != null ? socket.ack(packet.id) : null;
    listener(event, args, ack);
  };
  socket.on("connect", () => {
    for (const packet of early.splice(0)) deliver(packet);
  });
  socket.onevent = (packet) => {
    if (socket.connected) deliver(packet);
    else early.push(packet);
  };
}

async function main() {
  const script = parseScript(process.argv.slice(2));
  const version = script.version;

  // Everything that was seen, so steps can look back at what arrived before them.
  const seen = { connect: 0, disconnect: 0, events: new Map() };
  const used = { connect: 0, disconnect: 0 };
  let wake = null; // resolves the promise the current step waits on
  const poke = () => {
    if (wake) {
      const w = wake;
      wake = null;
      w();
    }
  };
  const until = async (ready) => {
    while (!ready()) await new Promise((resolve) => (wake = resolve));
  };

  const socket = await makeSocket(script);

  socket.on("connect", () => {
    const line = { type: "connect", id: socket.id ?? null };
    if (version === 4) line.recovered = socket.recovered === true;
    print(line);
    seen.connect++;
    poke();
  });
  const onConnectError = (err) => {
    let message;
    let data = null;
    if (err instanceof Error) {
      message = err.message;
      data = err.data ?? null;
    } else if (typeof err === "string") {
      // socket.io-client 2 gets the server's error payload as is: a message,
      message = err;
    } else if (err !== null && typeof err === "object" && typeof err.message === "string") {
      // a {message, data} object,
      message = err.message;
      data = err.data ?? null;
    } else {
      // or only the error's data (a server sends err.data || err.message).
      message = null;
      data = err ?? null;
    }
    print({ type: "connect_error", message, data: toPlain(data) });
    seen.connect++;
    poke();
  };
  socket.on("connect_error", onConnectError);
  // socket.io-client 2 reports a refused namespace as "error"; like version
  // 4, leave out errors of an established connection (a disconnect follows).
  if (version === 2) {
    socket.on("error", (err) => {
      if (!socket.connected) onConnectError(err);
    });
  }
  socket.on("disconnect", (reason) => {
    print({ type: "disconnect", reason: reason ?? null });
    seen.disconnect++;
    poke();
  });
  onAnyEvent(socket, version, (event, args, ack) => {
    print({ type: "event", event, args: toPlain(args) });
    seen.events.set(event, (seen.events.get(event) ?? 0) + 1);
    if (ack && script.ackReply) ack(...fromPlain(script.ackReply));
    poke();
  });

  const close = () => {
    if (version === 4) {
      socket.offAny();
      socket.removeAllListeners();
      socket.disconnect();
    } else {
      socket.off();
      socket.close();
    }
  };

  let stepIndex = -1;
  const deadline = setTimeout(() => {
    const step = script.steps[stepIndex];
    print({
      type: "timeout",
      step: stepIndex,
      message: `deadline of ${script.timeout}ms passed at step ${stepIndex}: ${JSON.stringify(step)}`,
    });
    close();
    process.exit(1);
  }, script.timeout);

  for (stepIndex = 0; stepIndex < script.steps.length; stepIndex++) {
    const step = script.steps[stepIndex];
    if ("wait" in step) {
      const kind = step.wait;
      await until(() => seen[kind] > used[kind]);
      used[kind]++;
    } else if ("emit" in step) {
      const args = withSocketId(fromPlain(step.args ?? []), socket.id);
      if (step.ack) {
        await new Promise((resolve) => {
          socket.emit(step.emit, ...args, (...reply) => {
            print({ type: "ack", event: step.emit, args: toPlain(reply) });
            resolve();
          });
        });
      } else {
        socket.emit(step.emit, ...args);
      }
    } else if ("expect" in step) {
      const count = step.count ?? 1;
      await until(() => (seen.events.get(step.expect) ?? 0) >= count);
    } else if ("sleep" in step) {
      await new Promise((resolve) => setTimeout(resolve, step.sleep));
    } else if ("touch" in step) {
      writeFileSync(step.touch, "");
    } else if ("waitFile" in step) {
      while (!existsSync(step.waitFile)) await new Promise((resolve) => setTimeout(resolve, 20));
    } else if ("disconnect" in step) {
      if (step.disconnect) socket.disconnect();
    } else if ("cut" in step) {
      const before = seen.disconnect;
      socket.io.engine.close();
      await until(() => seen.disconnect > before);
      used.disconnect = seen.disconnect;
    } else if ("connect" in step) {
      if (step.url) socket.io.uri = step.url; // the manager opens its next connection there
      if (step.connect) socket.connect();
    }
  }

  clearTimeout(deadline);
  close();
  print({ type: "done" });
  process.exitCode = 0;
  // Everything is closed, so Node exits on its own; this is only a backstop
  // in case a library keeps a handle open. unref() keeps it from holding the
  // process alive.
  setTimeout(() => process.exit(0), 2000).unref();
}

main().catch((err) => {
  process.stderr.write(`client.mjs: ${err && err.stack ? err.stack : err}\n`);
  process.exit(2);
});
