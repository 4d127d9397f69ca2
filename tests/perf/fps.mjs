// Frame rate of the stress view: 1 000 peers and 200 engine inputs per second of virtual time
// (the core's `stress` scenario), measured from requestAnimationFrame timestamps in headless
// Chromium. Not part of the default suite (it runs for a while); run it with
//   DIST=dist node tests/perf/fps.mjs [seconds]
// and it prints p50/p95 frame times and fps as one JSON line.
import { serveDist, launchBrowser, openPage } from '../e2e/harness.mjs';

const seconds = Number(process.argv[2] ?? 20);
const server = await serveDist();
const browser = await launchBrowser();
try {
  const { page, problems } = await openPage(browser, `${server.url}?mode=stress`);
  await page.setViewportSize({ width: 1280, height: 800 });
  // Warm-up: the thousand peers connect over the first five virtual seconds.
  await page.waitForFunction(() => Number(document.querySelector('#connected-count')?.textContent) >= 1000, null, { timeout: 120_000 });
  const frames = await page.evaluate((ms) => new Promise((resolve) => {
    const times = [];
    const end = performance.now() + ms;
    const tick = (t) => {
      times.push(t);
      if (t < end) requestAnimationFrame(tick); else resolve(times);
    };
    requestAnimationFrame(tick);
  }), seconds * 1000);
  const deltas = frames.slice(1).map((t, i) => t - frames[i]).sort((a, b) => a - b);
  const pct = (p) => deltas[Math.min(deltas.length - 1, Math.floor(deltas.length * p))];
  const peers = Number(await page.locator('#connected-count').textContent());
  const rows = await page.locator('table.peers tr[data-peer-id]').count();
  const result = {
    seconds,
    frames: deltas.length,
    p50_ms: +pct(0.5).toFixed(2),
    p95_ms: +pct(0.95).toFixed(2),
    fps_median: +(1000 / pct(0.5)).toFixed(1),
    fps_p95: +(1000 / pct(0.95)).toFixed(1),
    connected_at_end: peers,
    rows_rendered: rows,
    console_problems: problems.length,
  };
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  await server.close();
}
