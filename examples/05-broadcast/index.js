// Step 5 of the tutorial: this page announces a user with "user-connected"; the server
// broadcasts it as "new-user" to every page in /user, this one included.
"use strict";

const statusEl = document.getElementById("status");
const form = document.getElementById("form");
const username = document.getElementById("username");
const email = document.getElementById("email");
const log = document.getElementById("log");

function setStatus(text) {
  statusEl.textContent = text;
  statusEl.dataset.state = text;
}

// Adds one line to the page, as text: the payload comes from any page.
function addLine(text) {
  const item = document.createElement("li");
  item.textContent = text;
  log.append(item);
}

// The id of the user this page stands for; the tutorial's would come from a database.
const userId = Math.floor(Math.random() * 1e6);

if (typeof io !== "function") {
  statusEl.title = "The Socket.IO client script did not load.";
} else {
  const socket = io("/user");

  socket.on("connect", () => setStatus("connected"));
  socket.on("disconnect", () => setStatus("disconnected"));
  socket.on("new-user", (data) => {
    console.log("new-user", data);
    const user = data?.user ?? {};
    addLine(`new user ${user.username} <${user.email}> (socket ${data?.id})`);
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = username.value.trim();
    if (name === "") return;
    socket.emit("user-connected", {
      id: socket.id,
      user: { username: name, email: email.value.trim(), id: userId },
    });
  });
}
