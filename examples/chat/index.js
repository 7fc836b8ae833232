// Chat client for the ioroute example: sends "message", shows "new-message".
"use strict";

const form = document.getElementById("form");
const input = document.getElementById("input");
const messages = document.getElementById("messages");
const statusEl = document.getElementById("status");

function setStatus(text) {
  statusEl.textContent = text;
  statusEl.dataset.state = text;
}

// A message is either a string or {username?, message}.
function describe(data) {
  if (typeof data === "string") return { text: data };
  if (data !== null && typeof data === "object" && "message" in data) {
    const username = typeof data.username === "string" && data.username !== "" ? data.username : null;
    return { username, text: String(data.message) };
  }
  return { text: JSON.stringify(data) };
}

// Messages come from other users: only ever insert them as text.
function addMessage(data) {
  const { username, text } = describe(data);
  const item = document.createElement("li");
  if (username) {
    const name = document.createElement("strong");
    name.className = "username";
    name.textContent = username;
    item.append(name, ": ");
  }
  item.append(document.createTextNode(text));
  messages.append(item);
  item.scrollIntoView({ block: "end" });
}

if (typeof io !== "function") {
  setStatus("disconnected");
  statusEl.title = "The Socket.IO client script did not load.";
} else {
  const socket = io("/chat");

  socket.on("connect", () => setStatus("connected"));
  socket.on("disconnect", () => setStatus("disconnected"));
  socket.on("new-message", addMessage);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text === "") return;
    socket.emit("message", text);
    input.value = "";
    input.focus();
  });
}
