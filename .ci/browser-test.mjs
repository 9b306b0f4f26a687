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

import { resolve } from "node:path";
import { openPage } from "./cdp.mjs";

const page = resolve(process.argv[2] ?? "docs/telemetry/index.html");
const shotDir = resolve(process.env.SHOT_DIR ?? "target/browser-test");

async function main(b) {
  const { url, s, evaluate, shot, load, requests, problems } = b;
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

const b = await openPage(page, {
  shotDir,
  name: "browser-test",
  missing: `no page at ${page}: run \`candor docs schemas --out docs/telemetry\` first`,
});
main(b).then(() => b.finish(), (e) => b.finish(e.message ?? String(e)));
