#!/usr/bin/env node
// Drives the example pages in a real browser (Debian's /usr/bin/chromium, through
// playwright-core), spawned by the Go tests against a running ioroute server.
//
//   node browser.mjs '<json>'
//
// The JSON argument:
//   {
//     "url": "http://127.0.0.1:PORT/",   // the page to open
//     "script": "chat",                  // the scenario: "chat" or "nickname"
//     "token": "...",                    // nickname: a moderator token for tab A
//     "screenshot": "/tmp/chat.png",     // optional: save each tab at the end, as /tmp/chat-a.png, /tmp/chat-b.png
//     "timeout": 30000                   // optional overall deadline in ms; default 30000
//   }
//
// "nickname" (examples/nickname-chat) enters as ann (with "token", a moderator) in tab A and
// bob in tab B, and checks that both show "online: 2" with both names, that A sees bob
// typing and his message, that B gets A's private message marked as such, and that A's kick
// button for bob disconnects B, after which A shows "online: 1".
//
// "chat" opens the page in two tabs, A and B, and checks that:
//   - the page loaded the Socket.IO client from the server under test
//     (/socket.io/socket.io.min.js); the network beyond it is closed, the CDN included;
//   - both tabs show #status "connected";
//   - a message typed and sent in A shows in #messages in both tabs;
//   - markup sent from B shows as literal text in both tabs: no <img> in #messages and
//     window.__xss never set by its onerror.
//
// Every checked fact is printed as one JSON line on stdout:
//   {"check":"connected","tab":"A","ok":true,...,"ms":N}   (ms since the script started)
// then {"done":true,"ms":N} and exit code 0. On the first failure:
//   {"check":"...","ok":false,"error":"..."} on stdout, a one-line message on stderr,
// and exit code 1; page errors and refused requests seen so far are printed with it.
// A bad argument prints a message on stderr and exits with code 2.
// The browser is always closed and its fresh user data directory removed.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { chromium } from "playwright-core";

// tabShot names tab i's screenshot: chat.png becomes chat-a.png, chat-b.png, ...
function tabShot(path, i) {
  const dot = path.lastIndexOf(".");
  const tab = String.fromCharCode(97 + i);
  return dot > 0 ? `${path.slice(0, dot)}-${tab}${path.slice(dot)}` : `${path}-${tab}`;
}

const USAGE = `usage: node browser.mjs '{"url":"http://127.0.0.1:PORT/","script":"chat","screenshot":"optional.png"}'`;

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  // The pages load the client from the server: a page that still asked the CDN fails
  // (every request beyond the server is refused below too).
  "--host-resolver-rules=MAP cdn.socket.io ~NOTFOUND",
];

// Where the server serves socket.io-client (server.serve_client).
const CLIENT_PATH = "/socket.io/socket.io.min.js";

const XSS = `<img src=x onerror="window.__xss=1">`;

function usage(message) {
  process.stderr.write(`browser.mjs: ${message}\n${USAGE}\n`);
  process.exit(2);
}

// If the reader goes away there is no one left to tell: stop quietly.
process.stdout.on("error", (err) => process.exit(err.code === "EPIPE" ? 0 : 1));

// Every line carries the milliseconds since the script started.
const T0 = Date.now();
function print(line) {
  process.stdout.write(JSON.stringify({ ...line, ms: Date.now() - T0 }) + "\n");
}

// A failed check: carries the name of the fact that did not hold.
class CheckError extends Error {
  constructor(check, message, extra = {}) {
    super(message);
    this.check = check;
    this.extra = extra;
  }
}

// Playwright's messages carry terminal colours and a call log; keep them readable.
function plain(message) {
  return String(message).replace(/\u001b\[[0-9;]*m/g, "");
}

function parseArg() {
  if (process.argv.length !== 3) usage("expected exactly one JSON argument");
  let opts;
  try {
    opts = JSON.parse(process.argv[2]);
  } catch (err) {
    usage(`the argument is not JSON: ${err.message}`);
  }
  if (opts === null || typeof opts !== "object" || Array.isArray(opts)) usage("the argument must be a JSON object");
  if (typeof opts.url !== "string") usage(`"url" must be a string`);
  try {
    const u = new URL(opts.url);
    if (u.protocol !== "http:" && u.protocol !== "https:") usage(`"url" must be http(s): ${opts.url}`);
  } catch {
    usage(`"url" is not a URL: ${opts.url}`);
  }
  if (!(opts.script in SCRIPTS)) usage(`unknown "script" ${JSON.stringify(opts.script)}; known: ${Object.keys(SCRIPTS).join(", ")}`);
  if (opts.screenshot !== undefined && typeof opts.screenshot !== "string") usage(`"screenshot" must be a path`);
  if (opts.timeout !== undefined && !(Number.isFinite(opts.timeout) && opts.timeout > 0)) usage(`"timeout" must be a positive number of ms`);
  if (opts.token !== undefined && typeof opts.token !== "string") usage(`"token" must be a string`);
  return { timeout: 30000, ...opts };
}

// Run fn in the page; throw a CheckError naming check when it does not return true in time.
async function waitFor(page, tab, check, fn, arg, timeout, describe) {
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 50 });
  } catch (err) {
    const now = await describe(page).catch((e) => `(could not read the page: ${e.message})`);
    throw new CheckError(check, `tab ${tab}: ${plain(err.message).split("\n")[0]}; page shows ${JSON.stringify(now)}`, { tab });
  }
}

// What the chat page shows, for failure messages and checks.
function chatState(page) {
  return page.evaluate(() => {
    const list = document.getElementById("messages");
    return {
      status: document.getElementById("status")?.textContent ?? null,
      statusTitle: document.getElementById("status")?.title || undefined,
      messages: list ? Array.from(list.children, (li) => li.textContent) : null,
      imgs: list ? list.querySelectorAll("img").length : null,
      elements: list ? Array.from(list.querySelectorAll("*"), (el) => el.tagName.toLowerCase()) : null,
      xss: typeof window.__xss === "undefined" ? "undefined" : String(window.__xss),
      ioLoaded: typeof window.io === "function",
    };
  });
}

const SCRIPTS = {
  async chat({ context, pages, opts, client, step }) {
    const [a, b] = pages;
    const tabs = [["A", a], ["B", b]];

    await Promise.all(tabs.map(([, page]) => page.goto(opts.url, { waitUntil: "load", timeout: step })));
    if (client.served < 1) throw new CheckError("client-from-server", `${CLIENT_PATH} was never loaded from the server (statuses: ${JSON.stringify(client.statuses)})`);
    print({ check: "client-from-server", ok: true, url: client.url, served: client.served });

    for (const [tab, page] of tabs) {
      await waitFor(page, tab, "io-loaded", () => typeof window.io === "function", undefined, step, chatState);
      print({ check: "io-loaded", tab, ok: true });
    }
    for (const [tab, page] of tabs) {
      await waitFor(
        page, tab, "connected",
        () => document.getElementById("status")?.textContent === "connected",
        undefined, step, chatState,
      );
      print({ check: "connected", tab, ok: true, status: "connected" });
    }

    // Tab A types a message and submits the form.
    const hello = `hello from A ${Date.now()}`;
    // B was opened last; a tab in the background gets no animation frames, which a click waits for.
    await a.bringToFront();
    await a.locator("#input").fill(hello);
    await a.locator("#form button[type=submit]").click();
    print({ check: "sent", tab: "A", ok: true, text: hello });
    const shows = (text) => Array.from(document.querySelectorAll("#messages > li"), (li) => li.textContent).includes(text);
    for (const [tab, page] of tabs) {
      await waitFor(page, tab, "received", shows, hello, step, chatState);
      print({ check: "received", tab, ok: true, text: hello });
    }
    const inputLeft = await a.locator("#input").inputValue();
    if (inputLeft !== "") throw new CheckError("input-cleared", `tab A: #input still holds ${JSON.stringify(inputLeft)} after sending`, { tab: "A" });
    print({ check: "input-cleared", tab: "A", ok: true });

    // Tab B sends markup: it must stay text everywhere.
    await b.bringToFront();
    await b.locator("#input").fill(XSS);
    await b.locator("#input").press("Enter");
    print({ check: "sent", tab: "B", ok: true, text: XSS });
    // Wait for the second item rather than for the text, so that markup turned into an
    // element fails at once with what the page shows instead of running out the wait.
    for (const [tab, page] of tabs) {
      await waitFor(page, tab, "received", () => document.querySelectorAll("#messages > li").length >= 2, undefined, step, chatState);
      print({ check: "received", tab, ok: true, items: 2 });
    }
    // Had the markup become an element, its image load would fail and run onerror at once;
    // give that a moment before looking.
    await a.waitForTimeout(300);
    for (const [tab, page] of tabs) {
      const s = await chatState(page);
      if (!s.messages.includes(XSS)) {
        throw new CheckError("received-as-text", `tab ${tab}: no item of #messages reads ${JSON.stringify(XSS)}; page shows ${JSON.stringify(s)}`, { tab });
      }
      print({ check: "received-as-text", tab, ok: true, text: XSS });
      if (s.imgs !== 0) throw new CheckError("no-img", `tab ${tab}: #messages holds ${s.imgs} <img> element(s): ${JSON.stringify(s.elements)}`, { tab });
      print({ check: "no-img", tab, ok: true, elements: s.elements });
      if (s.xss !== "undefined") throw new CheckError("no-xss", `tab ${tab}: window.__xss is ${s.xss}: the message ran as markup`, { tab });
      print({ check: "no-xss", tab, ok: true, xss: s.xss });
      const want = [hello, XSS];
      if (JSON.stringify(s.messages) !== JSON.stringify(want)) {
        throw new CheckError("messages", `tab ${tab}: #messages shows ${JSON.stringify(s.messages)}, want ${JSON.stringify(want)}`, { tab });
      }
      print({ check: "messages", tab, ok: true, messages: s.messages });
    }
  },
};

// What the nickname chat page shows, for failure messages and checks.
function nicknameState(page) {
  return page.evaluate(() => ({
    status: document.getElementById("status")?.textContent ?? null,
    online: document.getElementById("online")?.textContent ?? null,
    typing: document.getElementById("typing")?.textContent ?? null,
    messages: Array.from(document.querySelectorAll("#messages > li"), (li) => li.textContent),
  }));
}

SCRIPTS.nickname = async function nickname({ pages, opts, client, step }) {
  const [a, b] = pages;
  const tabs = [["A", a], ["B", b]];
  const enter = async (page, nick, token) => {
    await page.goto(opts.url, { waitUntil: "load", timeout: step });
    await page.bringToFront();
    await page.locator("#nick").fill(nick);
    if (token) await page.locator("#token").fill(token);
    await page.locator("#login button[type=submit]").click();
  };
  await enter(a, "ann", opts.token);
  await waitFor(a, "A", "connected", () => document.getElementById("status")?.textContent === "connected", undefined, step, nicknameState);
  print({ check: "connected", tab: "A", ok: true });
  await enter(b, "bob");
  await waitFor(b, "B", "connected", () => document.getElementById("status")?.textContent === "connected", undefined, step, nicknameState);
  print({ check: "connected", tab: "B", ok: true });
  if (client.served < 1) throw new CheckError("client-from-server", `${CLIENT_PATH} was never loaded from the server`);
  print({ check: "client-from-server", ok: true, served: client.served });

  const online2 = () => {
    const t = document.getElementById("online")?.textContent ?? "";
    return t.startsWith("online: 2") && t.includes("ann") && t.includes("bob");
  };
  for (const [tab, page] of tabs) {
    await waitFor(page, tab, "online", online2, undefined, step, nicknameState);
    print({ check: "online", tab, ok: true, online: (await nicknameState(page)).online });
  }

  await b.bringToFront();
  await b.locator("#text").pressSequentially("hello ann", { delay: 20 });
  await waitFor(a, "A", "typing", () => document.getElementById("typing")?.textContent === "bob is typing…", undefined, step, nicknameState);
  print({ check: "typing", tab: "A", ok: true });
  await b.locator("#compose button[type=submit]").click();
  const shows = (text) => Array.from(document.querySelectorAll("#messages > li"), (li) => li.textContent).includes(text);
  await waitFor(a, "A", "message", shows, "bob: hello ann", step, nicknameState);
  print({ check: "message", tab: "A", ok: true });

  await a.bringToFront();
  await a.locator("#to").selectOption({ label: "only bob" });
  await a.locator("#text").fill("psst");
  await a.locator("#compose button[type=submit]").click();
  await waitFor(b, "B", "private", shows, "ann (only to you): psst", step, nicknameState);
  print({ check: "private", tab: "B", ok: true });
  // A shows its own private message once the server acknowledged it
  await waitFor(a, "A", "private-sent", shows, "ann → bob: psst", step, nicknameState);
  print({ check: "private-sent", tab: "A", ok: true });

  if (opts.token) {
    await a.locator("#online button[data-kick]").first().click();
    await waitFor(b, "B", "kicked", () => document.getElementById("status")?.textContent === "disconnected", undefined, step, nicknameState);
    await waitFor(b, "B", "kicked", shows, "a moderator disconnected you", step, nicknameState);
    print({ check: "kicked", tab: "B", ok: true });
    await waitFor(a, "A", "online-after-kick", () => (document.getElementById("online")?.textContent ?? "").startsWith("online: 1"), undefined, step, nicknameState);
    print({ check: "online-after-kick", tab: "A", ok: true });
  }
};

// What the backend chat page (examples/backend) shows, for failure messages and checks.
function backendState(page) {
  return page.evaluate(() => {
    const list = document.getElementById("messages");
    return {
      status: document.getElementById("status")?.textContent ?? null,
      room: document.getElementById("room")?.textContent ?? null,
      history: list?.dataset.history ?? null,
      messages: list ? Array.from(list.children, (li) => li.textContent) : null,
      imgs: list ? list.querySelectorAll("img").length : null,
      announcement: document.getElementById("announcement")?.textContent ?? null,
      failed: document.getElementById("failed")?.hidden === false ? document.getElementById("failed").textContent : null,
      xss: typeof window.__xss === "undefined" ? "undefined" : String(window.__xss),
    };
  });
}

// "backend" (examples/backend): messages stored by the backend reach both tabs, a reloaded tab
// gets the history from the backend, markup stays text, and an announcement sent to the HTTP
// API (opts.apiKey, as the README's curl line does) shows in both tabs.
SCRIPTS.backend = async function backend({ pages, opts, client, step }) {
  const [a, b] = pages;
  const tabs = [["A", a], ["B", b]];
  const open = async (page, nick) => {
    const u = new URL(opts.url);
    u.searchParams.set("nick", nick);
    await page.goto(u.href, { waitUntil: "load", timeout: step });
  };
  const connected = () => document.getElementById("status")?.textContent === "connected" && document.getElementById("messages")?.dataset.history !== undefined;
  await open(a, "ann");
  await open(b, "bob");
  for (const [tab, page] of tabs) {
    await waitFor(page, tab, "connected", connected, undefined, step, backendState);
    print({ check: "connected", tab, ok: true, ...(await backendState(page)) });
  }
  if (client.served < 1) throw new CheckError("client-from-server", `${CLIENT_PATH} was never loaded from the server`);
  print({ check: "client-from-server", ok: true, served: client.served });

  const hello = `hello from ann ${Date.now()}`;
  await a.bringToFront();
  await a.locator("#input").fill(hello);
  await a.locator("#form button[type=submit]").click();
  const shows = (text) => Array.from(document.querySelectorAll("#messages > li"), (li) => li.textContent).includes(text);
  for (const [tab, page] of tabs) {
    await waitFor(page, tab, "stored-and-received", shows, `ann: ${hello}`, step, backendState);
    print({ check: "stored-and-received", tab, ok: true });
  }

  await b.bringToFront();
  await b.locator("#input").fill(XSS);
  await b.locator("#input").press("Enter");
  for (const [tab, page] of tabs) {
    await waitFor(page, tab, "markup-received", shows, `bob: ${XSS}`, step, backendState);
  }

  // B reloads: what it sees again comes from the backend's history.
  await b.reload({ waitUntil: "load", timeout: step });
  await waitFor(b, "B", "history", (want) => {
    const items = Array.from(document.querySelectorAll("#messages > li"), (li) => li.textContent);
    return document.getElementById("messages")?.dataset.history === "2" && JSON.stringify(items) === JSON.stringify(want);
  }, [`ann: ${hello}`, `bob: ${XSS}`], step, backendState);
  print({ check: "history", tab: "B", ok: true, ...(await backendState(b)) });

  const text = `announced at ${Date.now()}`;
  const resp = await fetch(new URL("/api/emit", opts.url), {
    method: "POST",
    headers: { Authorization: `Bearer ${opts.apiKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ namespace: "/chat", event: "announcement", data: text }),
  });
  if (resp.status !== 200) throw new CheckError("announced", `POST /api/emit answered ${resp.status}: ${await resp.text()}`);
  print({ check: "announced", ok: true });
  for (const [tab, page] of tabs) {
    await waitFor(page, tab, "announcement", (t) => document.getElementById("announcement")?.textContent === t, text, step, backendState);
    print({ check: "announcement", tab, ok: true });
  }
  await a.waitForTimeout(300); // markup turned into an element would have run its onerror by now
  for (const [tab, page] of tabs) {
    const s = await backendState(page);
    if (s.imgs !== 0 || s.xss !== "undefined") throw new CheckError("no-xss", `tab ${tab}: ${JSON.stringify(s)}`, { tab });
    print({ check: "no-xss", tab, ok: true });
  }
};

async function main() {
  const opts = parseArg();
  const origin = new URL(opts.url).origin;

  let context = null;
  let userDataDir = null;
  let closing = null;
  const problems = { pageErrors: [], console: [], refused: [], failed: [] };
  const client = { url: origin + CLIENT_PATH, served: 0, statuses: [] };

  // Close the browser and remove its profile, once, however we got here.
  const cleanup = () => {
    closing ??= (async () => {
      if (context) await context.close().catch(() => {});
      if (userDataDir) await rm(userDataDir, { recursive: true, force: true }).catch(() => {});
    })();
    return closing;
  };

  // Report the first failure only: once the deadline has started closing the browser, the
  // scenario's own waits fail too, and that is no news.
  let failing = null;
  const fail = (check, message, extra = {}, pages = []) => {
    failing ??= report(check, message, extra, pages);
    return failing;
  };
  const report = async (check, message, extra, pages) => {
    message = plain(message);
    print({ check, ok: false, error: message, ...extra });
    for (const [kind, list] of Object.entries(problems)) {
      if (list.length > 0) print({ [kind]: list });
    }
    if (opts.screenshot) {
      for (const [i, page] of pages.entries()) {
        await page.screenshot({ path: tabShot(opts.screenshot, i), timeout: 2000 }).catch(() => {});
      }
    }
    process.stderr.write(`browser.mjs: ${opts.script}: ${check} failed: ${message.split("\n")[0]}\n`);
    await Promise.race([cleanup(), new Promise((r) => setTimeout(r, 5000))]);
    process.exit(1);
  };

  let pages = [];
  const deadline = setTimeout(() => {
    fail("timeout", `the ${opts.script} scenario did not finish within ${opts.timeout} ms`, {}, pages);
  }, opts.timeout);
  // Individual waits end well before the overall deadline, so they report what they waited for.
  const step = Math.max(1000, Math.floor(opts.timeout / 3));

  try {
    userDataDir = await mkdtemp(path.join(tmpdir(), "ioroute-chromium-"));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 800, height: 600 },
      timeout: step,
    });
    // The network is closed: refuse anything that is not the server under test, so it fails
    // fast and is reported.
    await context.route(
      (url) => url.origin !== origin,
      (route) => {
        problems.refused.push(route.request().url());
        return route.abort("blockedbyclient");
      },
    );
    context.on("response", (resp) => {
      if (resp.url() !== client.url) return;
      client.statuses.push(resp.status());
      if (resp.status() === 200 || resp.status() === 304) client.served++;
    });
    const first = context.pages()[0] ?? (await context.newPage());
    pages = [first, await context.newPage()];
    for (const [tab, page] of [["A", pages[0]], ["B", pages[1]]]) {
      page.on("pageerror", (err) => problems.pageErrors.push({ tab, message: err.message }));
      page.on("console", (msg) => {
        if (msg.type() === "error" || msg.type() === "warning") {
          problems.console.push({ tab, type: msg.type(), text: msg.text(), url: msg.location().url || undefined });
        }
      });
      page.on("requestfailed", (req) => problems.failed.push({ tab, url: req.url(), error: req.failure()?.errorText }));
    }
    print({ check: "launched", ok: true, browser: CHROMIUM, version: context.browser()?.version() ?? null });

    await SCRIPTS[opts.script]({ context, pages, opts, client, step });

    if (problems.pageErrors.length > 0) {
      throw new CheckError("no-page-errors", `the page threw: ${JSON.stringify(problems.pageErrors)}`);
    }
    print({ check: "no-page-errors", ok: true });
    if (opts.screenshot) {
      for (const [i, page] of pages.entries()) {
        await page.bringToFront();
        await page.screenshot({ path: tabShot(opts.screenshot, i), timeout: step });
        print({ check: "screenshot", ok: true, path: tabShot(opts.screenshot, i) });
      }
    }
  } catch (err) {
    clearTimeout(deadline);
    if (err instanceof CheckError) await fail(err.check, err.message, err.extra, pages);
    await fail("error", err?.stack ?? String(err), {}, pages);
  }
  clearTimeout(deadline);
  await cleanup();
  print({ done: true });
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`browser.mjs: ${err?.stack ?? err}\n`);
  process.exit(1);
});
