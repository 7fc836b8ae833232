#!/usr/bin/env node
// Drives ioroute's own Admin UI (server.admin.ui, served at /admin/) in Chromium
// (/usr/bin/chromium through playwright-core), spawned by examples/admin_ui_test.go.
//
//   node admin-browser.mjs '{"url":"http://127.0.0.1:PORT","namespace":"/chat","username":"admin","password":"...","pages":true,"screenshot":"/tmp/admin.png"}'
//
// It connects the chat's two users: with "pages", the chat page (served at /) in two tabs,
// each showing #status "connected"; without, two socket.io-client 4 sockets. It opens /admin/
// in another tab, logs in through the UI's connection form, picks the namespace on the Sockets
// page and checks that both sockets are listed; opens each socket's details and checks its
// rooms; then presses the socket's disconnect button and checks that that user alone was
// disconnected (its tab shows "disconnected"). Every check is one JSON line on stdout, {"check":...,"ok":true}; then
// {"done":true} and exit 0. The first failure prints {"check":...,"ok":false,"error":...}
// and exits 1. The network beyond the server is closed.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { chromium } from "playwright-core";
import { io } from "socket.io-client";

const opts = JSON.parse(process.argv[2] || "{}");
const origin = new URL(opts.url).origin;
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");

let current = "start";
const check = (name) => { current = name; };
const ok = (extra = {}) => print({ check: current, ok: true, ...extra });

const connectUser = () => new Promise((resolve, reject) => {
  const s = io(origin + opts.namespace, { forceNew: true, reconnection: false, transports: ["websocket"] });
  s.once("connect", () => resolve(s));
  s.once("connect_error", reject);
});

let context, userDataDir;
const users = [];
const pageErrors = [];
let disconnects = [];
let chatTabs = [];
try {
  if (!opts.pages) {
    check("users connected");
    users.push(await connectUser(), await connectUser());
    disconnects = users.map((s) => new Promise((resolve) => s.once("disconnect", resolve)));
    ok({ ids: users.map((s) => s.id) });
  }

  check("launched");
  userDataDir = await mkdtemp(path.join(tmpdir(), "ioroute-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    viewport: { width: 1280, height: 800 },
    timeout: 15000,
  });
  await context.route((url) => url.origin !== origin, (route) => route.abort("blockedbyclient"));
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(8000);
  page.on("pageerror", (err) => pageErrors.push(err.message));
  ok();

  if (opts.pages) {
    check("chat pages connected");
    chatTabs = [await context.newPage(), await context.newPage()];
    for (const tab of chatTabs) {
      tab.on("pageerror", (err) => pageErrors.push(err.message));
      await tab.goto(origin + "/");
      await tab.waitForSelector('#status[data-state="connected"]', { timeout: 8000 });
    }
    ok();
  }

  check("login form shows the server");
  await page.goto(origin + "/admin/");
  const server = page.getByLabel("Server URL");
  await server.waitFor();
  if ((await server.inputValue()) !== origin) throw new Error(`server URL field holds ${await server.inputValue()}`);
  ok();

  check("logged in");
  await page.getByLabel("Username").fill(opts.username);
  await page.getByLabel("Password").fill(opts.password);
  await page.getByRole("button", { name: /connect/i }).click();
  await page.getByText(/^\s*connected\s*$/i).first().waitFor();
  ok();

  check("sockets page lists both sockets");
  await page.getByText("Sockets", { exact: true }).first().click();
  await page.locator("main .v-select").first().click();
  await page.getByRole("option", { name: opts.namespace, exact: true }).click();
  if (opts.pages) {
    // the pages' socket ids: the first column of the table's two rows
    await page.waitForFunction(() => document.querySelectorAll("main tbody tr").length === 2);
    const ids = await page.locator("main tbody tr td:first-child").allInnerTexts();
    for (const id of ids) users.push({ id: id.trim(), page: true });
  }
  for (const s of users) await page.getByRole("cell", { name: s.id, exact: true }).first().waitFor();
  ok({ ids: users.map((s) => s.id) });

  check("each socket's rooms");
  for (const s of users) {
    await page.getByRole("cell", { name: s.id, exact: true }).first().click();
    await page.getByText("Rooms", { exact: true }).first().waitFor();
    // a socket is in its own room, named by its id: shown under Rooms as well as under Socket
    const cells = page.locator("td", { hasText: s.id });
    await page.waitForFunction(({ id }) => [...document.querySelectorAll("td")].filter((td) => td.textContent.trim() === id).length >= 2, { id: s.id });
    ok({ id: s.id, cells: await cells.count() });
    await page.getByText("Sockets", { exact: true }).first().click();
    await page.getByRole("cell", { name: users[1].id, exact: true }).first().waitFor();
  }

  check("disconnect from the UI");
  const target = users[0];
  await page.getByRole("cell", { name: target.id, exact: true }).first().click();
  await page.getByText("Rooms", { exact: true }).first().waitFor();
  // the socket's disconnect button (the client's comes first)
  await page.locator("button:has(i.mdi-logout)").nth(1).click();
  if (opts.pages) {
    // exactly one tab now shows disconnected (the client does not reconnect after the server
    // disconnected it)
    const t0 = Date.now();
    let states = [];
    while (Date.now() - t0 < 8000) {
      states = await Promise.all(chatTabs.map((t) => t.locator("#status").getAttribute("data-state")));
      if (states.filter((s) => s === "disconnected").length === 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300));
    states = await Promise.all(chatTabs.map((t) => t.locator("#status").getAttribute("data-state")));
    if (states.filter((s) => s === "disconnected").length !== 1 || !states.includes("connected")) {
      throw new Error(`chat tabs show ${states.join(", ")}; want one disconnected, one connected`);
    }
    ok({ states });
  } else {
    const reason = await Promise.race([disconnects[0], new Promise((_, rej) => setTimeout(() => rej(new Error("not disconnected")), 8000))]);
    if (reason !== "io server disconnect") throw new Error(`disconnected for ${reason}`);
    if (!users[1].connected) throw new Error("the other socket was disconnected too");
    ok({ reason });
  }
  if (opts.screenshot) await page.screenshot({ path: opts.screenshot });
  if (pageErrors.length) throw new Error("page errors: " + pageErrors.join("; "));
  print({ done: true });
  process.exitCode = 0;
} catch (err) {
  print({ check: current, ok: false, error: String(err.message || err), pageErrors });
  process.stderr.write(`admin-browser.mjs: ${current}: ${err.message || err}\n`);
  if (context && opts.screenshot) await context.pages()[0]?.screenshot({ path: opts.screenshot }).catch(() => {});
  process.exitCode = 1;
} finally {
  for (const s of users) if (!s.page) s.close();
  if (context) await context.close().catch(() => {});
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
}
