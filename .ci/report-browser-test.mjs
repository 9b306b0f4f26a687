// Headless-browser test of the aggregates page `candor report` writes (by default the golden
// report of the collector's tests, collector/tests/report/golden/report.html).
//
// Uses the same harness as the transparency page's test (cdp.mjs) and fails unless:
//   - no request leaves the page (every request is the page's own file:// URL),
//   - no console error, page exception or CSP violation is logged, and the page has no script,
//   - every chart is visible (non-zero size, inside the page's width) and every drawn bar of a
//     published number has a size,
//   - every chart has its table, with one row per bar, holding the number the bar's tooltip says,
//   - every event links to its entry on the transparency page.
// Screenshots are written to SHOT_DIR for a human to look at.
//
// Usage: node .ci/report-browser-test.mjs [PAGE] ; env CHROMIUM, SHOT_DIR (default
// target/browser-test/report).

import { resolve } from "node:path";
import { openPage } from "./cdp.mjs";

const page = resolve(process.argv[2] ?? "collector/tests/report/golden/report.html");
const shotDir = resolve(process.env.SHOT_DIR ?? "target/browser-test/report");

async function main(b) {
  const { url, s, evaluate, shot, load, requests, problems } = b;
  await load();
  const checks = [];
  const expect = (what, got, want) => { if (JSON.stringify(got) !== JSON.stringify(want)) checks.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`); };

  expect("script elements", await evaluate("document.scripts.length"), 0);
  const events = await evaluate("document.querySelectorAll('article.report-event').length");
  if (!(events > 0)) throw new Error("the page shows no events");
  const charts = await evaluate(`[...document.querySelectorAll('svg.chart')].map(c => {
    const r = c.getBoundingClientRect();
    return { id: c.querySelector('title').id, w: Math.round(r.width), h: Math.round(r.height), right: Math.round(r.right) };
  })`);
  if (charts.length < events) checks.push(`only ${charts.length} charts for ${events} events`);
  const width = await evaluate("document.documentElement.clientWidth");
  for (const c of charts) {
    if (!(c.w > 100 && c.h > 30)) checks.push(`chart ${c.id} is not visible: ${c.w}×${c.h}`);
    if (c.right > width) checks.push(`chart ${c.id} overflows the page (${c.right} > ${width})`);
  }
  const flatBars = await evaluate(`[...document.querySelectorAll('svg.chart rect.bar')].filter(r => {
    const b = r.getBoundingClientRect();
    return !/: (0|≈ 0 \(.*\))$/.test(r.querySelector('title').textContent) && (b.width < 0.5 || b.height < 0.5);
  }).map(r => r.querySelector('title').textContent)`);
  expect("bars of published numbers without a size", flatBars, []);

  // Each chart's marks against its table: field charts sit next to their table, time charts
  // hold theirs in a <details>. A bar's tooltip is "label: number"; the table's row says the same.
  const mismatches = await evaluate(`[...document.querySelectorAll('svg.chart')].flatMap(svg => {
    const holder = svg.closest('section.field') ?? svg.closest('section#glance') ?? svg.closest('figure');
    const table = holder.querySelector('table.numbers');
    if (!table) return [svg.querySelector('title').textContent + ': no table'];
    const marks = [...svg.querySelectorAll('rect.bar, rect.withheld')].map(r => r.querySelector('title').textContent);
    const rows = [...table.querySelectorAll('tbody tr')].map(tr => tr.querySelector('th').textContent + ': ' + tr.querySelector('td:last-child').textContent);
    if (marks.length !== rows.length) return [svg.querySelector('title').textContent + ': ' + marks.length + ' marks, ' + rows.length + ' rows'];
    return marks.map((m, i) => m === rows[i] ? null : m + ' ≠ ' + rows[i]).filter(Boolean);
  })`);
  expect("chart marks that differ from their table", mismatches, []);
  const captions = await evaluate("[...document.querySelectorAll('table.numbers')].filter(t => !t.caption || !t.querySelector('th[scope=col]')).length");
  expect("tables without caption or column headers", captions, 0);
  const links = await evaluate("[...document.querySelectorAll('article.report-event a.docs-link')].map(a => a.getAttribute('href'))");
  expect("events linked to the transparency page", links.length, events);
  for (const l of links) if (!/^[^#]+#[a-z0-9_]+\.[a-z0-9_]+$/.test(l)) checks.push(`odd transparency link ${l}`);
  const withheld = await evaluate("[...document.querySelectorAll('td.withheld-cell')].length");
  if (!(withheld > 0)) checks.push("the test page shows no withheld number: it cannot show how they look");

  await shot("report-top.png", false);
  await shot("report-full.png", true);
  await evaluate("document.getElementById('glance').scrollIntoView()");
  await shot("report-glance.png", false);
  await evaluate("document.querySelector('article.report-event').scrollIntoView()");
  await shot("report-event.png", false);
  await evaluate("[...document.querySelectorAll('section.field')].find(f => f.querySelector('td.withheld-cell')).scrollIntoView()");
  await shot("report-withheld.png", false);
  await evaluate("[...document.querySelectorAll('section.field')].find(f => f.textContent.includes('randomized response'))?.scrollIntoView()");
  await shot("report-randomised.png", false);
  await evaluate("document.querySelector('section.field').scrollIntoView()");
  await shot("report-field.png", false);

  // Without script the page is the same (it has none; this keeps it so).
  await s("Emulation.setScriptExecutionDisabled", { value: true });
  await load();
  expect("charts without script", await evaluate("[...document.querySelectorAll('svg.chart')].filter(c => c.getBoundingClientRect().height > 30).length"), charts.length);

  const foreign = requests.filter((r) => r !== url);
  if (foreign.length) checks.push(`requests other than the page itself: ${foreign.join(", ")}`);
  checks.push(...problems);
  if (checks.length) throw new Error(`\n  - ${checks.join("\n  - ")}`);
  console.log(`report-browser-test: ${events} events, ${charts.length} charts visible with their tables, ${requests.length} request(s) all to the page itself, screenshots in ${shotDir}`);
}

const b = await openPage(page, {
  shotDir,
  name: "report-browser-test",
  missing: `no page at ${page}: run \`cargo test -p candor-collector --test report\` (UPDATE_SNAPSHOTS=1 writes it) or pass a report.html`,
});
main(b).then(() => b.finish(), (e) => b.finish(e.message ?? String(e)));
