/**
 * `npx tsx bench/console-scroll.ts`: does a timeline of 10 000 entries scroll
 * smoothly? The console's own work only: a real hub serves the page and the
 * customer, and the browser answers the 100 timeline pages itself (synthetic
 * entries, the API's page shape and cursor), so seeding 10 000 events through
 * DynamoDB Local is not what gets measured. Chromium scrolls the list to the
 * end in steps, following the cursor page by page, and reports the frame
 * intervals (requestAnimationFrame) and the rows in the DOM, beside the same
 * figures for an idle page as the floor of this machine.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// Imported after the log level is set: the logger reads it when its module loads.
const { startLocalHub } = await import('../functions/runtime/local/local-hub.js');
const { launchChromium } = await import('../test/helpers/browser.js');
const { seedLongHistory } = await import('../test/helpers/console-journey.js');
const { postWebhook, TEST_SECRET } = await import('../test/helpers/hub.js');

const ENTRIES = Number(process.env.CONSOLE_SCROLL_ENTRIES ?? 10_000);
const PAGE = 100;

const env = new Proxy({} as NodeJS.ProcessEnv, {
  get: (_t, name) => (typeof name === 'string' && name.startsWith('OMNIHUB_SECRET_') ? TEST_SECRET : undefined),
});
const hub = await startLocalHub({ port: 0, env, apiToken: 'bench-token', subscriptions: [] });
const browser = await launchChromium();
try {
  await seedLongHistory((c, b) => postWebhook(hub, c, b), 1);
  await hub.idle();
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  // The timeline pages, answered in the browser: entry n is `ENTRIES - n` minutes old.
  await page.route('**/v1/customers/*/timeline?*', (route) => {
    const url = new URL(route.request().url());
    const offset = Number(url.searchParams.get('cursor') ?? 0);
    const items = Array.from({ length: Math.min(PAGE, ENTRIES - offset) }, (_, k) => {
      const n = offset + k;
      return {
        eventId: `evt_${String(n).padStart(32, '0')}`,
        type: n % 7 === 0 ? 'call.completed' : 'message.received',
        channel: ['whatsapp', 'telegram', 'viber', 'phone', 'web'][n % 5],
        connector: 'whatsapp',
        occurredAt: new Date(Date.UTC(2026, 10, 1) - n * 60_000).toISOString(),
        receivedAt: new Date(Date.UTC(2026, 10, 1) - n * 60_000).toISOString(),
        summary: `Entry ${n + 1} of ${ENTRIES}: a message a customer might write about a sofa`,
        data: {},
      };
    });
    const next = offset + items.length;
    return route.fulfill({
      contentType: 'application/json',
      body: JSON.stringify({ items, ...(next < ENTRIES ? { nextCursor: String(next) } : {}) }),
    });
  });
  await page.goto(hub.url);
  await page.getByLabel('Access token').fill(hub.apiToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const box = page.getByRole('searchbox', { name: 'Search customers' });
  await box.fill('380931234567');
  await box.press('Enter');
  await page.waitForURL(/#\/customers\//);
  await page.getByRole('link', { name: 'Timeline' }).click();
  await page.getByTestId('virtual-list').locator('li').first().waitFor();

  // Scroll in steps of a screen per frame until the last entry is loaded and in view.
  // A string, not a function: tsx's name helpers do not exist in the page.
  const result = (await page.evaluate(`(async () => {
    const entries = ${ENTRIES};
    const list = document.querySelector('[data-testid="virtual-list"]');
    const count = document.querySelector('[data-testid="timeline-count"]');
    const idle = await new Promise((resolve) => {
      const out = [];
      let last = performance.now();
      const tick = (t) => { out.push(t - last); last = t; out.length < 120 ? requestAnimationFrame(tick) : resolve(out); };
      requestAnimationFrame(tick);
    });
    const intervals = [];
    let maxRows = 0;
    const started = performance.now();
    let last = started;
    await new Promise((resolve) => {
      const step = (t) => {
        intervals.push(t - last);
        last = t;
        list.scrollTop += list.clientHeight;
        maxRows = Math.max(maxRows, list.querySelectorAll('li').length);
        const atEnd = list.scrollTop + list.clientHeight >= list.scrollHeight - 2;
        const done = count.textContent.startsWith(entries.toLocaleString('en-US') + ' ');
        if ((atEnd && done) || t - started > 120000) resolve();
        else requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    });
    return { idle, intervals, maxRows, seconds: (performance.now() - started) / 1000 };
  })()`)) as { idle: number[]; intervals: number[]; maxRows: number; seconds: number };

  const q = (xs: number[], p: number) =>
    [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0;
  const fmt = (xs: number[]) =>
    `p50 ${q(xs, 0.5).toFixed(1)} ms, p95 ${q(xs, 0.95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
  console.log(`Timeline of ${ENTRIES} entries (${ENTRIES / PAGE} API pages), scrolled a screen per frame to the end:`);
  console.log(
    `  frames while scrolling: ${fmt(result.intervals)} over ${result.intervals.length} frames, ${result.seconds.toFixed(1)} s`,
  );
  console.log(`  floor (idle page):      ${fmt(result.idle)}`);
  console.log(`  most rows in the DOM:   ${result.maxRows}`);
} finally {
  await browser.close();
  await hub.stop();
}
