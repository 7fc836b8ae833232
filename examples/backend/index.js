// Chat page of examples/backend: the history arrives on connect ("history"), each stored
// message as "message", announcements from the HTTP API as "announcement".
"use strict";

const form = document.getElementById("form");
const input = document.getElementById("input");
const messages = document.getElementById("messages");
const statusEl = document.getElementById("status");
const roomEl = document.getElementById("room");
const announcement = document.getElementById("announcement");
const failed = document.getElementById("failed");

function setStatus(text) {
  statusEl.textContent = text;
  statusEl.dataset.state = text;
}

// Messages come from other users: only ever insert them as text.
function addMessage(m) {
  if (m === null || typeof m !== "object") return;
  const item = document.createElement("li");
  item.dataset.id = String(m.id);
  const name = document.createElement("strong");
  name.className = "username";
  name.textContent = String(m.from);
  item.append(name, ": ", document.createTextNode(String(m.text)));
  messages.append(item);
  item.scrollIntoView({ block: "end" });
}

function show(el, text) {
  el.textContent = text;
  el.hidden = false;
}

if (typeof io !== "function") {
  statusEl.title = "The Socket.IO client script did not load.";
} else {
  const params = new URLSearchParams(location.search);
  const nick = params.get("nick") || window.prompt("Your nickname?", "") || "";
  const socket = io("/chat", { auth: { nick }, query: { room: params.get("room") || "lobby" } });

  socket.on("connect", () => setStatus("connected"));
  socket.on("disconnect", () => setStatus("disconnected"));
  socket.on("joined", (j) => { roomEl.textContent = `#${j.room} as ${j.nick}`; });
  socket.on("history", (list) => {
    messages.replaceChildren();
    for (const m of Array.isArray(list) ? list : []) addMessage(m);
    messages.dataset.history = String(Array.isArray(list) ? list.length : 0);
  });
  socket.on("message", addMessage);
  socket.on("announcement", (text) => show(announcement, String(text)));
  socket.on("failed", (text) => show(failed, String(text)));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text === "") return;
    failed.hidden = true;
    socket.emit("message", text);
    input.value = "";
    input.focus();
  });
}
