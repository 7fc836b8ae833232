// Step 1 of the tutorial: on page load, send the unnamed "message" event; ioroute prints it.
"use strict";

const statusEl = document.getElementById("status");
const log = document.getElementById("log");

function setStatus(text) {
  statusEl.textContent = text;
  statusEl.dataset.state = text;
}

// Adds one line to the page, as text.
function addLine(text) {
  const item = document.createElement("li");
  item.textContent = text;
  log.append(item);
}

if (typeof io !== "function") {
  statusEl.title = "The Socket.IO client script did not load.";
} else {
  const socket = io();

  socket.on("connect", () => setStatus("connected"));
  socket.on("disconnect", () => setStatus("disconnected"));

  // Sent once; the client holds it until the connection is up.
  const message = { data: "Connected to the server" };
  socket.send(message);
  addLine("sent message " + JSON.stringify(message));
}
