// Step 7 of the tutorial: Join and Leave emit "join-room" and "leave-room"; the notices of the
// rooms this page is in arrive as "message".
"use strict";

const statusEl = document.getElementById("status");
const form = document.getElementById("form");
const room = document.getElementById("room");
const username = document.getElementById("username");
const messages = document.getElementById("messages");

function setStatus(text) {
  statusEl.textContent = text;
  statusEl.dataset.state = text;
}

// Adds one line to the page, as text: notices carry other users' names.
function addLine(text) {
  const item = document.createElement("li");
  item.textContent = text;
  messages.append(item);
}

if (typeof io !== "function") {
  statusEl.title = "The Socket.IO client script did not load.";
} else {
  const socket = io("/user");

  socket.on("connect", () => setStatus("connected"));
  socket.on("disconnect", () => setStatus("disconnected"));
  socket.on("message", (data) => addLine(String(data)));

  // The button pressed says which; Enter joins.
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = username.value.trim();
    const roomName = room.value.trim();
    if (name === "" || roomName === "") return;
    if (event.submitter?.value === "leave") {
      socket.emit("leave-room", { username: name, room: roomName });
    } else {
      socket.emit("join-room", { username: name, roomName });
    }
  });
}
