// Headless-browser test of the transparency page (docs/telemetry/index.html by default).
//
// Drives Debian's /usr/bin/chromium over the DevTools protocol on a pipe (no port is opened and
// nothing is downloaded), loads the page from file:// and fails unless:
//   - no request leaves the page (every request is the page's own file:// URL),
//   - no console error, page exception or CSP violation is logged,
//   - the filter form appears and filtering by namespace, class, consent and words shows exactly
//     the events that match (counted independently from the page's own tables),
//   - with JavaScript disabled, every event is visible and the form stays hidden.
// Screenshots are written next to SHOT_DIR for a human to look at.
//
// Usage: node .ci/browser-test.mjs [PAGE] ; env CHROMIUM (default /usr/bin/chromium),
// SHOT_DIR (default target/browser-test).

import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const page = resolve(process.argv[2] ?? "docs/telemetry/index.html");
const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";
const shotDir = resolve(process.env.SHOT_DIR ?? "target/browser-test");
if (!existsSync(page)) fail(`no page at ${page}: run \`candor docs schemas --out docs/telemetry\` first`);
if (!existsSync(chromium)) fail(`no browser at ${chromium}: install Debian's chromium (apt-get install chromium)`);
mkdirSync(shotDir, { recursive: true });
const url = pathToFileURL(page).href;

function fail(msg) {
  console.error(`browser-test: FAIL: ${msg}`);
  process.exit(1);
}

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
const timer = setTimeout(() => finish(`timed out; browser said:\n${stderr}`), 60_000);

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
    else if (p.entry.level === "warning") console.log(`browser-test: note: ${p.entry.text}`);
  }
});

async function finish(error) {
  clearTimeout(timer);
  const exited = new Promise((r) => browser.once("exit", r));
  try { await Promise.race([send("Browser.close"), new Promise((r) => setTimeout(r, 2000))]); } catch { /* already gone */ }
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (browser.exitCode === null) browser.kill();
  rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  if (error) fail(error);
  console.log("browser-test: ok");
  process.exit(0);
}

async function main() {
  const { targetId } = await send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
  const s = (method, params) => send(method, params, sessionId);
  for (const domain of ["Page", "Runtime", "Log", "Network"]) await s(`${domain}.enable`);
  const evaluate = async (expression) => {
    const r = await s("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error(`evaluating ${expression}: ${r.exceptionDetails.text}`);
    return r.result.value;
  };
  const shot = async (name, full) => {
    const params = { format: "png" };
    if (full) {
      const m = await s("Page.getLayoutMetrics");
      params.captureBeyondViewport = true;
      params.clip = { x: 0, y: 0, width: 1280, height: Math.ceil(m.cssContentSize.height), scale: 1 };
    }
    const { data } = await s("Page.captureScreenshot", params);
    writeFileSync(join(shotDir, name), Buffer.from(data, "base64"));
  };
  const load = async () => {
    const loaded = once("Page.loadEventFired");
    await s("Page.navigate", { url });
    await loaded;
  };

  // 1. The page loads, with script, without any request or error.
  await load();
  const checks = [];
  const expect = (what, got, want) => { if (got !== want) checks.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`); };
  const total = await evaluate("document.querySelectorAll('article.event').length");
  if (!(total > 0)) throw new Error("the page lists no events");
  expect("filter form shown", await evaluate("!document.getElementById('filters').hidden"), true);
  await shot("page-top.png", false);
  await shot("page-full.png", true);

  // 2. Each filter shows exactly the matching events. Expected counts come from the visible
  // tables and headings, not from the data-* attributes the script filters on.
  const visible = "[...document.querySelectorAll('article.event')].filter(e => e.offsetParent !== null).map(e => e.id)";
  const setFilters = (f) => evaluate(`(() => {
    const form = document.getElementById('filters');
    form.reset();
    for (const [k, v] of Object.entries(${JSON.stringify(f)})) form.elements[k].value = v;
    form.elements.q.dispatchEvent(new Event('input', { bubbles: true }));
    return ${visible};
  })()`);
  const cases = [
    [{ namespace: "wallet" }, "[...document.querySelectorAll('article.event')].filter(e => e.closest('section.namespace').querySelector('h3 code').textContent === 'wallet').map(e => e.id)"],
    [{ class: "sensitive" }, "[...document.querySelectorAll('article.event')].filter(e => [...e.querySelectorAll('table.fields td .cls')].some(b => b.textContent.includes('Sensitive'))).map(e => e.id)"],
    [{ consent: "performance" }, "[...document.querySelectorAll('article.event')].filter(e => /^Performance /.test([...e.querySelectorAll('.meta dt')].find(d => d.textContent === 'Category').nextElementSibling.textContent)).map(e => e.id)"],
    [{ consent: "usage", class: "sensitive" }, "[...document.querySelectorAll('article.event')].filter(e => /^Usage /.test([...e.querySelectorAll('.meta dt')].find(d => d.textContent === 'Category').nextElementSibling.textContent) && [...e.querySelectorAll('table.fields td .cls')].some(b => b.textContent.includes('Sensitive'))).map(e => e.id)"],
    [{ q: "recovery phrase" }, "[...document.querySelectorAll('article.event')].filter(e => e.textContent.toLowerCase().includes('recovery phrase')).map(e => e.id)"],
  ];
  for (const [filters, expected] of cases) {
    await setFilters({});
    const want = await evaluate(expected);
    const got = await setFilters(filters);
    expect(`events shown for ${JSON.stringify(filters)}`, JSON.stringify(got), JSON.stringify(want));
    if (want.length === 0 || want.length === total) checks.push(`filter ${JSON.stringify(filters)} does not narrow the list (${want.length} of ${total}); the test data cannot show filtering works`);
    const status = await evaluate("document.getElementById('filter-status').textContent");
    expect(`status for ${JSON.stringify(filters)}`, status, `Showing ${want.length} of ${total} events.`);
    const emptySections = await evaluate("[...document.querySelectorAll('section.namespace')].filter(s => s.offsetParent !== null && ![...s.querySelectorAll('article.event')].some(e => e.offsetParent !== null)).length");
    expect(`visible namespaces without visible events for ${JSON.stringify(filters)}`, emptySections, 0);
  }
  await setFilters({ class: "sensitive" });
  await evaluate("window.scrollTo(0, document.getElementById('events').offsetTop)");
  await shot("filtered-sensitive.png", false);
  await setFilters({});
  await evaluate("document.getElementById('never').scrollIntoView()");
  await shot("never-collected.png", false);
  await evaluate("document.querySelector('article.event:last-of-type').scrollIntoView()");
  await shot("event-with-notes.png", false);
  const afterReset = await evaluate(`(() => { document.getElementById('filters').reset(); return new Promise(r => setTimeout(() => r((${visible}).length), 50)); })()`);
  expect("events shown after reset", afterReset, total);

  // 3. Without script, everything is readable and the form stays out of the way. The page's
  // own script no longer runs, but Runtime.evaluate from the protocol still does.
  await s("Emulation.setScriptExecutionDisabled", { value: true });
  await load();
  expect("events visible without script", await evaluate(visible + ".length"), total);
  expect("filter form hidden without script", await evaluate("document.getElementById('filters').offsetParent === null"), true);
  await shot("no-script.png", false);

  const foreign = requests.filter((r) => r !== url);
  if (foreign.length) checks.push(`requests other than the page itself: ${foreign.join(", ")}`);
  checks.push(...problems);
  if (checks.length) throw new Error(`\n  - ${checks.join("\n  - ")}`);
  console.log(`browser-test: ${total} events, filters ok, ${requests.length} request(s) all to the page itself, screenshots in ${shotDir}`);
}

main().then(() => finish(), (e) => finish(e.message ?? String(e)));
