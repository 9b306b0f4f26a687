// The headless-browser harness the page tests share: drives Debian's /usr/bin/chromium over the
// DevTools protocol on a pipe (no port is opened and nothing is downloaded), records every
// request and every console error, page exception or CSP violation, and takes screenshots.
//
// Usage: const b = await openPage(page, { shotDir, name }); await b.load(); ... ; b.finish(err)
// env CHROMIUM (default /usr/bin/chromium).

import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export function fail(name, msg) {
  console.error(`${name}: FAIL: ${msg}`);
  process.exit(1);
}

export async function openPage(page, { shotDir, name, missing }) {
  const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(page)) fail(name, missing ?? `no page at ${page}`);
  if (!existsSync(chromium)) fail(name, `no browser at ${chromium}: install Debian's chromium (apt-get install chromium)`);
  mkdirSync(shotDir, { recursive: true });
  const url = pathToFileURL(page).href;

  const profile = mkdtempSync(join(tmpdir(), "candor-browser-"));
  const browser = spawn(chromium, [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
    "--disable-dev-shm-usage", "--window-size=1280,900", `--user-data-dir=${profile}`, "--remote-debugging-pipe",
    "about:blank",
  ], { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
  let stderr = "";
  browser.stderr.on("data", (d) => { stderr += d; });

  // --- DevTools protocol over fds 3 (to the browser) and 4 (from it), NUL-separated JSON. ---
  let nextId = 1;
  const pending = new Map();
  const listeners = [];
  let buffer = "";
  browser.stdio[4].on("data", (chunk) => {
    buffer += chunk.toString("utf8");
    let end;
    while ((end = buffer.indexOf("\0")) >= 0) {
      const msg = JSON.parse(buffer.slice(0, end));
      buffer = buffer.slice(end + 1);
      if (msg.id && pending.has(msg.id)) {
        const { resolve: ok, reject } = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) reject(new Error(`${msg.error.message} (${msg.error.code})`));
        else ok(msg.result);
      } else if (msg.method) {
        for (const l of listeners) l(msg);
      }
    }
  });
  function send(method, params = {}, sessionId) {
    const id = nextId++;
    browser.stdio[3].write(JSON.stringify({ id, method, params, sessionId }) + "\0");
    return new Promise((ok, reject) => pending.set(id, { resolve: ok, reject }));
  }
  function once(method) {
    return new Promise((ok) => {
      const l = (msg) => {
        if (msg.method === method) { listeners.splice(listeners.indexOf(l), 1); ok(msg.params); }
      };
      listeners.push(l);
    });
  }

  const requests = [];
  const problems = [];
  listeners.push((msg) => {
    const p = msg.params;
    if (msg.method === "Network.requestWillBeSent") requests.push(p.request.url);
    if (msg.method === "Runtime.exceptionThrown") problems.push(`exception: ${p.exceptionDetails.text} ${p.exceptionDetails.exception?.description ?? ""}`);
    if (msg.method === "Runtime.consoleAPICalled" && (p.type === "error" || p.type === "assert" || p.type === "warning")) {
      problems.push(`console.${p.type}: ${p.args.map((a) => a.value ?? a.description).join(" ")}`);
    }
    if (msg.method === "Log.entryAdded") {
      // Errors (CSP violations, failed loads) fail the test; the browser's own warnings are
      // printed for the log but are not about the page.
      if (p.entry.level === "error") problems.push(`log error (${p.entry.source}): ${p.entry.text}`);
      else if (p.entry.level === "warning") console.log(`${name}: note: ${p.entry.text}`);
    }
  });

  let timer;
  async function finish(error) {
    clearTimeout(timer);
    const exited = new Promise((r) => browser.once("exit", r));
    try { await Promise.race([send("Browser.close"), new Promise((r) => setTimeout(r, 2000))]); } catch { /* already gone */ }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (browser.exitCode === null) browser.kill();
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    if (error) fail(name, error);
    console.log(`${name}: ok`);
    process.exit(0);
  }
  timer = setTimeout(() => finish(`timed out; browser said:\n${stderr}`), 60_000);

  const { targetId } = await send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
  const s = (method, params) => send(method, params, sessionId);
  for (const domain of ["Page", "Runtime", "Log", "Network"]) await s(`${domain}.enable`);
  const evaluate = async (expression) => {
    const r = await s("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error(`evaluating ${expression}: ${r.exceptionDetails.text}`);
    return r.result.value;
  };
  const shot = async (file, full) => {
    const params = { format: "png" };
    if (full) {
      const m = await s("Page.getLayoutMetrics");
      params.captureBeyondViewport = true;
      params.clip = { x: 0, y: 0, width: 1280, height: Math.ceil(m.cssContentSize.height), scale: 1 };
    }
    const { data } = await s("Page.captureScreenshot", params);
    writeFileSync(join(shotDir, file), Buffer.from(data, "base64"));
  };
  const load = async () => {
    const loaded = once("Page.loadEventFired");
    await s("Page.navigate", { url });
    await loaded;
  };
  return { url, s, evaluate, shot, load, requests, problems, finish };
}
