// Step 2 of the tutorial: on connect, emit the custom event "user-connected"; ioroute prints it.
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

// The user this page announces; the server prints whatever the page sends.
const user = { username: "ada", email: "ada@example.com", id: 1 };

if (typeof io !== "function") {
  statusEl.title = "The Socket.IO client script did not load.";
} else {
  const socket = io();

  socket.on("connect", () => {
    setStatus("connected");
    socket.emit("user-connected", { id: socket.id, user });
    addLine(`sent user-connected as ${user.username} (socket ${socket.id})`);
  });
  socket.on("disconnect", () => setStatus("disconnected"));
}
