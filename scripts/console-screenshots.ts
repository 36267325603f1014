/**
 * `npm run screenshots`: the console's search, customer, timeline and metrics views as
 * PNGs in docs/, taken in Debian's Chromium from a throw-away local hub (its
 * own in-memory DynamoDB Local) seeded with the browser tests' journey through
 * signed webhooks. Run it after changing how the console looks, and look at
 * the pictures before committing them.
 */
import { fileURLToPath } from 'node:url';
import { startLocalHub } from '../functions/runtime/local/local-hub.js';
import { launchChromium } from '../test/helpers/browser.js';
import { OLENA, seedOlena } from '../test/helpers/console-journey.js';
import { postWebhook, TEST_SECRET, TEST_VERIFY_TOKEN } from '../test/helpers/hub.js';

const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));
process.chdir(fileURLToPath(new URL('..', import.meta.url)));

const env = new Proxy({} as NodeJS.ProcessEnv, {
  get: (_t, name) =>
    typeof name === 'string' && name.startsWith('OMNIHUB_SECRET_')
      ? TEST_SECRET
      : typeof name === 'string' && name.startsWith('OMNIHUB_VERIFY_TOKEN_')
        ? TEST_VERIFY_TOKEN
        : undefined,
});

const hub = await startLocalHub({ port: 0, env, apiToken: 'screenshot-token', subscriptions: [], retryBaseMs: 50 });
const browser = await launchChromium();
try {
  const post = (connector: string, body: string, contentType?: string) =>
    postWebhook(hub, connector, body, contentType ? { contentType } : {});
  await seedOlena(post);
  await hub.idle();

  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    locale: 'en-GB',
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  await page.goto(hub.url);
  await page.getByLabel('Access token').fill(hub.apiToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const box = page.getByRole('searchbox', { name: 'Search customers' });
  await box.fill('050 111 22 33');
  await page.screenshot({ path: `${DOCS}console-search.png` });

  await box.press('Enter');
  await page.getByRole('heading', { level: 1, name: OLENA.name }).waitFor();
  await page.getByRole('region', { name: 'Orders' }).getByRole('row').nth(1).waitFor();
  await page.screenshot({ path: `${DOCS}console-customer.png`, fullPage: true });

  await page.getByRole('link', { name: 'Timeline' }).click();
  await page.getByRole('list', { name: 'Timeline entries, newest first' }).getByRole('listitem').first().waitFor();
  await page.screenshot({ path: `${DOCS}console-timeline.png` });

  await page.getByRole('link', { name: 'Metrics' }).click();
  await page.getByLabel('From', { exact: true }).fill('2026-11-01');
  await page.getByLabel('To', { exact: true }).fill('2026-11-07');
  await page.locator('svg.chart g[data-bucket="2026-11-07"]').waitFor();
  await page.screenshot({ path: `${DOCS}console-metrics.png` });
  console.log(`Wrote ${DOCS}console-{search,customer,timeline,metrics}.png`);
} finally {
  await browser.close();
  await hub.stop();
}
