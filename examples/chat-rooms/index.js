// Chat rooms: a name (sent as auth.username when connecting), rooms to join and leave, and
// messages to the selected room. The server sends "message" {room, from, text} and "notice"
// {room?, text} from the others; this page shows its own messages, joins and leaves itself.
"use strict";

const $ = (id) => document.getElementById(id);
const statusEl = $("status");
const login = $("login");
const roomsForm = $("rooms");
const roomName = $("room-name");
const roomSelect = $("room");
const leave = $("leave");
const compose = $("compose");
const text = $("text");
const messages = $("messages");

const joined = new Set(); // the rooms this page is in, kept across reconnections
let socket = null;
let me = "";

function setStatus(state) {
  statusEl.textContent = state;
  statusEl.dataset.state = state;
}

function span(className, content) {
  const el = document.createElement("span");
  el.className = className;
  el.textContent = content;
  return el;
}

// Adds one line, as text: names, rooms and messages all come from users.
function addLine({ room, from, text }, className = "") {
  const item = document.createElement("li");
  item.className = className;
  if (room != null) item.append(span("room", `#${room}`));
  if (from != null) item.append(span("username", String(from)), ": ");
  item.append(String(text));
  messages.append(item);
}

// Lists the joined rooms; the selected one is where messages go and what Leave leaves.
function showRooms(select = roomSelect.value) {
  roomSelect.replaceChildren(...Array.from(joined, (room) => new Option(room, room)));
  if (joined.has(select)) roomSelect.value = select;
  for (const el of [roomSelect, leave, text, compose.querySelector("button")]) el.disabled = joined.size === 0;
}

login.addEventListener("submit", (event) => {
  event.preventDefault();
  me = $("username").value.trim();
  if (me === "") return;
  if (typeof io !== "function") {
    statusEl.title = "The Socket.IO client script did not load.";
    return;
  }
  socket = io("/chat", { auth: { username: me } });
  socket.on("connect", () => {
    setStatus("connected");
    // A new connection is in no room: join again the ones this page shows.
    for (const room of joined) socket.emit("join", room);
  });
  socket.on("disconnect", () => setStatus("disconnected"));
  socket.on("message", (msg) => addLine(msg));
  socket.on("notice", (notice) => addLine(notice, "notice"));
  login.hidden = true;
  roomsForm.hidden = false;
  compose.hidden = false;
  roomName.focus();
});

roomsForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const room = roomName.value.trim();
  if (room === "") return;
  if (!joined.has(room)) {
    socket.emit("join", room);
    joined.add(room);
    addLine({ room, text: "you joined" }, "notice");
  }
  showRooms(room);
  roomName.value = "";
  text.focus();
});

leave.addEventListener("click", () => {
  const room = roomSelect.value;
  if (!joined.delete(room)) return;
  socket.emit("leave", room);
  addLine({ room, text: "you left" }, "notice");
  showRooms();
});

compose.addEventListener("submit", (event) => {
  event.preventDefault();
  const room = roomSelect.value;
  const message = text.value.trim();
  if (!joined.has(room) || message === "") return;
  socket.emit("message", { room, text: message });
  addLine({ room, from: me, text: message });
  text.value = "";
  text.focus();
});
