// Connects to /secure with the pasted token as auth; the server refuses bad tokens.
"use strict";

const statusEl = document.getElementById("status");
const errorEl = document.getElementById("error");
const messages = document.getElementById("messages");
const input = document.getElementById("input");
let socket = null;

function setStatus(text) {
  statusEl.textContent = text;
  statusEl.dataset.state = text;
  const connected = text === "connected";
  input.disabled = !connected;
  document.querySelector("#form button").disabled = !connected;
}

// Adds one line to the list, as text.
function addLine(text) {
  const item = document.createElement("li");
  item.textContent = text;
  messages.append(item);
}

document.getElementById("login").addEventListener("submit", (e) => {
  e.preventDefault();
  if (socket) socket.disconnect();
  errorEl.textContent = "";
  socket = io("/secure", { auth: { token: document.getElementById("token").value.trim() } });
  socket.on("connect", () => setStatus("connected"));
  socket.on("disconnect", () => setStatus("disconnected"));
  socket.on("connect_error", (err) => {
    errorEl.textContent = `refused: ${err.message}` + (err.data ? ` (${JSON.stringify(err.data)})` : "");
  });
  socket.on("welcome", (text) => addLine(text));
  socket.on("new-message", (msg) => addLine(`${msg.from}: ${msg.text}`));
});

document.getElementById("form").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (text && socket) socket.emit("message", text);
  input.value = "";
});
