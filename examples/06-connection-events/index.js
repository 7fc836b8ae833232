// Step 6 of the tutorial: the server greets each connection with "my response"; the button
// disconnects and connects again, which the server logs.
"use strict";

const statusEl = document.getElementById("status");
const toggle = document.getElementById("toggle");
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
  const socket = io("/user");

  socket.on("connect", () => {
    setStatus("connected");
    toggle.textContent = "Disconnect";
    toggle.disabled = false;
  });
  socket.on("disconnect", (reason) => {
    setStatus("disconnected");
    toggle.textContent = "Connect";
    addLine(`disconnected (${reason})`);
  });
  socket.on("my response", (msg) => addLine(`my response: ${msg?.data}`));

  toggle.addEventListener("click", () => {
    if (socket.connected) socket.disconnect();
    else socket.connect();
  });
}
