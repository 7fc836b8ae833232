// Nickname chat: connects to /chat with auth {nick, token?}; shows who is online (the server's
// "online" event), who is typing, public and private messages; moderators get a kick button
// next to each name. Everything shown comes from users, so it is always set as text.
"use strict";

const $ = (id) => document.getElementById(id);
const statusEl = $("status");
const login = $("login");
const onlineEl = $("online");
const compose = $("compose");
const toSelect = $("to");
const text = $("text");
const typingEl = $("typing");
const messages = $("messages");

let socket = null;
let me = "";
let moderator = false;
let typingTimer = 0;

function setStatus(state) {
  statusEl.textContent = state;
  statusEl.dataset.state = state;
}

function addLine(from, body, className = "") {
  const item = document.createElement("li");
  item.className = className;
  if (from != null) {
    const name = document.createElement("span");
    name.className = "username";
    name.textContent = String(from);
    item.append(name, ": ");
  }
  item.append(String(body));
  messages.append(item);
}

// Shows "online: N — names", a kick button per other user for moderators, and keeps the
// private-message recipients in step.
function showOnline({ count, users }) {
  const line = [document.createTextNode(`online: ${count} — `)];
  const chosen = toSelect.value;
  toSelect.replaceChildren(new Option("everyone", ""));
  for (const user of users) {
    const el = document.createElement("span");
    el.className = "user";
    el.textContent = user.role === "moderator" ? `${user.nick} (mod)` : String(user.nick);
    if (user.id !== socket.id) {
      toSelect.append(new Option(`only ${user.nick}`, user.id));
      if (moderator) {
        const kick = document.createElement("button");
        kick.type = "button";
        kick.textContent = "kick";
        kick.dataset.kick = user.id;
        kick.addEventListener("click", () => {
          socket.emit("kick", user.id, (reply) => addLine(null, reply === "kicked" ? `you kicked ${user.nick}` : `kick failed: ${reply?.error ?? reply}`, "notice"));
        });
        el.append(kick);
      }
    } else if (user.role === "moderator") {
      moderator = true;
    }
    line.push(el);
  }
  onlineEl.replaceChildren(...line);
  if ([...toSelect.options].some((o) => o.value === chosen)) toSelect.value = chosen;
}

login.addEventListener("submit", (event) => {
  event.preventDefault();
  me = $("nick").value.trim();
  if (me === "") return;
  if (typeof io !== "function") {
    statusEl.title = "The Socket.IO client script did not load.";
    return;
  }
  const auth = { nick: me };
  const token = $("token").value.trim();
  if (token !== "") auth.token = token;
  socket = io("/chat", { auth });
  socket.on("connect", () => {
    setStatus("connected");
    // The server recovered this socket after a network loss (server.recovery): same id, rooms
    // and nickname, and what was said meanwhile has just arrived.
    if (socket.recovered) addLine(null, "back: missed messages delivered", "notice");
  });
  socket.on("disconnect", (reason) => {
    setStatus("disconnected");
    if (reason === "io server disconnect") addLine(null, "a moderator disconnected you", "notice");
  });
  socket.on("connect_error", (err) => addLine(null, `cannot connect: ${err.message}`, "notice"));
  socket.on("online", showOnline);
  socket.on("message", ({ from, room, text }) => addLine(room ? `${from} in #${room}` : from, text));
  socket.on("private", ({ from, text }) => addLine(`${from} (only to you)`, text, "private"));
  socket.on("typing", (nick) => {
    typingEl.textContent = `${nick} is typing…`;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { typingEl.textContent = ""; }, 1500);
  });
  login.hidden = true;
  compose.hidden = false;
  text.focus();
});

text.addEventListener("input", () => socket?.emit("typing"));

compose.addEventListener("submit", (event) => {
  event.preventDefault();
  const message = text.value.trim();
  if (message === "") return;
  const to = toSelect.value;
  if (to === "") {
    socket.emit("message", message);
    addLine(me, message);
  } else {
    const name = toSelect.selectedOptions[0].textContent.replace(/^only /, "");
    socket.emit("private", { to, text: message }, () => addLine(`${me} → ${name}`, message, "private"));
  }
  text.value = "";
  text.focus();
});
