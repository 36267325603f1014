/**
 * The console in a real browser: Debian's Chromium driven by playwright-core
 * against a local hub (the same front `npm start` serves), seeded through
 * signed webhooks — a WhatsApp message, a Telegram chat with a shared contact,
 * a quiz lead, a call, an online order, a till receipt, an SMS STOP — with a
 * fake Telegram Bot API for the composer's replies. One browser and one hub
 * for the file; a fresh browser context (cookies) per test.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalHub } from '../../functions/runtime/local/local-hub.js';
import { startFakeTelegram } from '../fakes/telegram.js';
import { launchChromium } from '../helpers/browser.js';
import {
  LONG_PHONE,
  OLENA,
  type PostSigned,
  SPLIT,
  seedLongHistory,
  seedMerged,
  seedOlena,
  seedXss,
  XSS_PHONE,
  XSS_TEXT,
} from '../helpers/console-journey.js';
import { postWebhook, startTestHub } from '../helpers/hub.js';

const VIEWER = { name: 'vera', role: 'viewer', token: 'viewer-token-0123456789abcdef' } as const;
const BOT_TOKEN = '7000000001:console-test-bot-token';
/** More than one page of the API (100 per page), so the list must follow the cursor. */
const LONG_HISTORY = 110;

describe('Console in Chromium', () => {
  let hub: LocalHub;
  let browser: Browser;
  let telegram: Awaited<ReturnType<typeof startFakeTelegram>>;
  let context: BrowserContext | undefined;
  /** Problems the page reported: CSP violations, uncaught errors, dialogs (an alert() would be an XSS). */
  let problems: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    telegram = await startFakeTelegram({ token: BOT_TOKEN });
    hub = await startTestHub({
      console: { users: [VIEWER] },
      // A day after the journey: Telegram may answer her, WhatsApp's window for the long history has closed.
      now: () => new Date('2026-11-07T10:00:00Z'),
      extraEnv: { OMNIHUB_API_TOKEN_TELEGRAM: BOT_TOKEN, OMNIHUB_API_BASE_URL_TELEGRAM: telegram.url },
    });
    const post: PostSigned = (connector, body, contentType) =>
      postWebhook(hub, connector, body, contentType ? { contentType } : {});
    await seedOlena(post);
    await seedXss(post);
    await seedLongHistory(post, LONG_HISTORY);
    await seedMerged(post, () => hub.idle());
    await hub.idle();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await telegram?.close();
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
    expect(problems).toEqual([]);
    problems = [];
  });

  const open = async (): Promise<Page> => {
    context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'en-US' });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(hub.url);
    return page;
  };

  const signIn = async (token = hub.apiToken): Promise<Page> => {
    const page = await open();
    await page.getByLabel('Access token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('searchbox', { name: 'Search customers' }).waitFor();
    return page;
  };

  const search = async (page: Page, query: string): Promise<void> => {
    const box = page.getByRole('searchbox', { name: 'Search customers' });
    await box.fill(query);
    await box.press('Enter');
  };

  const customerIdOf = (page: Page): string => /#\/customers\/([^/]+)/.exec(page.url())?.[1] ?? '';

  it('logs in with the API token and finds the WhatsApp customer by 050 …, keeping the token out of the page', async () => {
    // Act
    const page = await signIn();
    await search(page, '050 111 22 33');

    // Assess
    await page.getByRole('heading', { level: 1, name: OLENA.name }).waitFor();
    // Nothing personal in the address (only the id), the token in no storage the page can read, the cookie HttpOnly.
    const address = new URL(page.url());
    expect(address.pathname + address.search).toBe('/');
    expect(address.hash).toMatch(/^#\/customers\/cus_[0-9a-f]{24}$/);
    // Runs in the page (DOM globals; this file is type-checked without the DOM library).
    const stored = await page.evaluate(() => {
      const w = globalThis as any;
      return JSON.stringify([{ ...w.localStorage }, { ...w.sessionStorage }, w.document.cookie]);
    });
    expect(stored).not.toContain(hub.apiToken);
    expect(stored).not.toContain('omnihub_session');
    const cookies = await context?.cookies();
    expect(cookies?.find((c) => c.name === 'omnihub_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it('finds the same customer by every spelling of her phone, her email, her Telegram id and her customer id', async () => {
    // Prepare
    const page = await signIn();
    await search(page, '050 111 22 33');
    await page.getByRole('heading', { level: 1, name: OLENA.name }).waitFor();
    const id = customerIdOf(page);

    for (const query of ['+380501112233', '380501112233', OLENA.email, `telegram:${OLENA.telegramId}`, id]) {
      // Act
      await page.goto(`${hub.url}/#/`);
      await search(page, query);
      await page.getByRole('heading', { level: 1, name: OLENA.name }).waitFor();

      // Assess
      expect(customerIdOf(page), query).toBe(id);
    }
  });

  it('shows the customer page: value, channels with consent (SMS revoked), identities with sources, orders with promo codes', async () => {
    // Act
    const page = await signIn();
    await search(page, OLENA.phone);
    await page.getByRole('heading', { level: 1, name: OLENA.name }).waitFor();

    // Assess: waitFor() fails the test when a row never appears (the orders load after the profile).
    const channels = page.getByRole('region', { name: 'Channels' });
    await expect(channels.getByRole('row').count()).resolves.toBe(1 + 7);
    await expect(page.getByTestId('consent-sms').textContent()).resolves.toMatch(/Revoked[\s\S]*STOP/);
    await expect(page.getByTestId('consent-whatsapp').count()).resolves.toBe(0);
    const identities = page.getByRole('region', { name: 'Identities' });
    await identities.getByRole('row', { name: /WhatsApp ID 380501112233 whatsapp/ }).waitFor();
    await identities.getByRole('row', { name: /Phone \+380501112233/ }).waitFor();
    await identities.getByRole('row', { name: /Telegram ID 7000001 telegram/ }).waitFor();
    const orders = page.getByRole('region', { name: 'Orders' });
    await orders.getByRole('row', { name: /Online .*#2001.*AUTUMN10/ }).waitFor();
    await orders.getByRole('row', { name: /In store .*R-0001.*Paid at till/ }).waitFor();
    await expect(orders.getByRole('row').count()).resolves.toBe(1 + 2);
    await expect(page.getByTestId('ltv').textContent()).resolves.toMatch(/UAH/);
    await expect(page.getByRole('region', { name: 'Value' }).textContent()).resolves.toMatch(
      /Preferred channel\s*Telegram/,
    );
  });

  it('shows all five channels of the journey in the timeline, newest first, and filters it by channel and type', async () => {
    // Prepare
    const page = await signIn();
    await search(page, OLENA.phone);
    await page.getByRole('link', { name: 'Timeline' }).click();
    const list = page.getByRole('list', { name: 'Timeline entries, newest first' });
    await list.getByRole('listitem').first().waitFor();

    // Act
    const channels = await list.locator('.trow-channel').allTextContents();
    const times = await list.locator('time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime') ?? ''));

    // Assess
    for (const channel of ['WhatsApp', 'Telegram', 'Website', 'Phone', 'Store (POS)'])
      expect(channels, channel).toContain(channel);
    expect(times).toEqual([...times].sort().reverse());

    // Act: filter by channel, then by type.
    await page.getByLabel('Channel', { exact: true }).selectOption({ label: 'Telegram' });
    await expect
      .poll(async () => [...new Set(await list.locator('.trow-channel').allTextContents())], { timeout: 10_000 })
      .toEqual(['Telegram']);
    await page.getByLabel('Channel', { exact: true }).selectOption({ label: 'All channels' });
    await page.getByLabel('Type', { exact: true }).selectOption({ label: 'Call' });
    await expect
      .poll(async () => await list.locator('.trow-summary').allTextContents(), { timeout: 10_000 })
      .toEqual(['Incoming call, 4m 5s']);
  });

  it('pages through a long timeline with the API cursor while rendering only the rows in view', async () => {
    // Prepare
    const page = await signIn();
    const cursors: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.endsWith('/timeline') && url.searchParams.get('cursor'))
        cursors.push(url.searchParams.get('cursor') as string);
    });
    await search(page, LONG_PHONE);
    await page.getByRole('link', { name: 'Timeline' }).click();
    const list = page.getByRole('list', { name: 'Timeline entries, newest first' });
    await expect(list.getByRole('listitem').first().textContent()).resolves.toContain(`Message number ${LONG_HISTORY}`);

    // Act: scroll to the end, page after page, until the oldest message is in view.
    const scroller = page.getByTestId('virtual-list');
    const oldest = list.getByText('Message number 1', { exact: true });
    for (let i = 0; i < 20 && !(await oldest.isVisible()); i++) {
      await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await page.waitForTimeout(100);
    }

    // Assess
    await oldest.waitFor();
    await page.getByText('This is the beginning of the history.').waitFor();
    await expect(page.getByTestId('timeline-count').textContent()).resolves.toBe(`${LONG_HISTORY} entries loaded`);
    expect(cursors.length).toBeGreaterThanOrEqual(1);
    // Virtualized: a screenful of rows plus a margin in the DOM, not all of them.
    const rendered = await list.getByRole('listitem').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(45);
    await expect(list.getByRole('listitem').last().getAttribute('aria-posinset')).resolves.toBe(String(LONG_HISTORY));
  });

  it('splits a wrongly merged identity off into a new profile through the UI', async () => {
    // Prepare: the email and the phone were merged by a lead carrying both.
    const page = await signIn();
    await search(page, SPLIT.email);
    await page.getByRole('heading', { level: 1, name: 'Taras' }).waitFor();
    const merged = customerIdOf(page);
    const admin = page.getByRole('region', { name: 'Administration' });

    // Act
    await admin.getByRole('checkbox', { name: `Select phone:${SPLIT.phone}` }).check();
    await admin.getByRole('button', { name: 'Split identities off' }).click();
    const dialog = page.getByRole('dialog', { name: 'Split 1 identity off into a new profile?' });
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await admin.getByText('Split into a new profile.').waitFor();
    await admin.getByRole('link', { name: 'Open the new profile' }).click();
    await page.waitForURL((url) => !url.hash.includes(merged));
    const split = customerIdOf(page);

    // Assess: the hash changes before the new profile renders, so wait for its id on the page rather than
    // reading the previous profile's regions (a race a loaded machine loses).
    expect(split).toMatch(/^cus_/);
    expect(split).not.toBe(merged);
    await page.locator('.customer-id code', { hasText: split }).waitFor();
    await expect(page.getByRole('region', { name: 'Identities' }).textContent()).resolves.toContain(SPLIT.phone);
    await page.goto(`${hub.url}/#/`);
    await search(page, SPLIT.email);
    await page.waitForURL(/#\/customers\//);
    expect(customerIdOf(page)).toBe(merged);
    await page.goto(`${hub.url}/#/`);
    await search(page, '066 444 55 66');
    await page.waitForURL(/#\/customers\//);
    expect(customerIdOf(page)).toBe(split);
  });

  it('renders the markup a vendor sent as inert text', async () => {
    // Act
    const page = await signIn();
    await search(page, XSS_PHONE);
    await page.waitForURL(/#\/customers\//);
    await page.getByRole('heading', { level: 1, name: 'alert(2)' }).waitFor();
    const heading = await page.getByRole('heading', { level: 1 }).textContent();
    await page.getByRole('link', { name: 'Conversation' }).click();
    const message = page.getByTestId('message-text').first();
    await message.waitFor();

    // Assess: the text shows as typed; no element was created from it and nothing ran (afterEach checks dialogs).
    expect(heading).toBe('<script>alert(2)</script>');
    await expect(message.textContent()).resolves.toBe(XSS_TEXT);
    await expect(page.locator('main img, main script').count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Timeline' }).click();
    await expect(page.locator('.trow-summary').first().textContent()).resolves.toContain(XSS_TEXT);
    await expect(page.locator('main img').count()).resolves.toBe(0);
  });

  it('shows a viewer no admin actions and no composer, and the hub answers her 403 if she tries', async () => {
    // Act
    const page = await signIn(VIEWER.token);
    await search(page, OLENA.phone);
    await page.getByRole('heading', { level: 1, name: OLENA.name }).waitFor();

    // Assess: nothing to click…
    await expect(page.getByTestId('user').textContent()).resolves.toMatch(/vera\s+Viewer/);
    await expect(page.getByRole('region', { name: 'Administration' }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: /Erase|Export|Split/ }).count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Conversation' }).click();
    await page.getByTestId('message-text').first().waitFor();
    await expect(page.getByRole('textbox', { name: 'Message' }).count()).resolves.toBe(0);

    // …and the hub refuses her with her own session and its CSRF token.
    const id = customerIdOf(page);
    const answers = await page.evaluate(async (customerId) => {
      const session = (await (await fetch('/console/session')).json()) as any;
      const headers = { 'x-csrf-token': session.csrfToken, 'content-type': 'application/json' };
      const erase = await fetch(`/v1/customers/${customerId}`, { method: 'DELETE', headers });
      const exported = await fetch(`/v1/customers/${customerId}/export`);
      return [erase.status, ((await erase.json()) as any).error.code, exported.status];
    }, id);
    expect(answers).toEqual([403, 'forbidden', 403]);
    await expect(page.getByRole('heading', { level: 1, name: OLENA.name }).count()).resolves.toBe(1);
  });

  it('composer: shows the channel the hub would use and why, sends through it, and the reply joins the thread', async () => {
    // Prepare
    const page = await signIn();
    await search(page, OLENA.phone);
    await page.getByRole('heading', { level: 1, name: OLENA.name }).waitFor();
    const reachability = page.waitForResponse((r) => r.url().includes('/reachability'));
    await page.getByRole('link', { name: 'Conversation' }).click();
    const plan = page.getByTestId('composer-plan');

    // Act & Assess: the dry run, before anything is sent — Telegram, where she writes, with the why.
    expect((await reachability).status()).toBe(200);
    await plan.getByText('Will be sent via Telegram').waitFor();
    await expect(plan.textContent()).resolves.toMatch(/Why: .+/);
    await expect(plan.textContent()).resolves.toMatch(/SMS/);
    await page.getByRole('textbox', { name: 'Message' }).fill('Yes, Saturday works. See you at 11!');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Queued for Telegram.').waitFor();

    // Assess: the fake Telegram Bot API got it, and the thread shows it beside her messages.
    await expect
      .poll(() => telegram.requests.map((r) => r.parsed), { timeout: 10_000 })
      .toContainEqual({ chat_id: OLENA.telegramId, text: 'Yes, Saturday works. See you at 11!' });
    await hub.idle();
    await page.getByRole('link', { name: 'Timeline' }).click();
    await page.getByRole('link', { name: 'Conversation' }).click();
    await page.locator('.bubble-out').getByText('Yes, Saturday works. See you at 11!').waitFor();
  });

  it('composer: refuses with the reasons when no channel may carry the message, and sends nothing', async () => {
    // Prepare: he has written only in WhatsApp, and this hub sends through Telegram alone.
    const page = await signIn();
    const before = telegram.requests.length;
    await search(page, LONG_PHONE);
    await page.waitForURL(/#\/customers\//);
    await page.getByRole('link', { name: 'Conversation' }).click();
    const plan = page.getByTestId('composer-plan');

    // Act
    await plan.getByText('No channel may be used now').waitFor();
    await page.getByRole('textbox', { name: 'Message' }).fill('Hello again');

    // Assess
    await expect(plan.locator('.reasons li').first().textContent()).resolves.toMatch(/WhatsApp.+/);
    await expect(page.getByRole('button', { name: 'Send' }).isDisabled()).resolves.toBe(true);
    expect(telegram.requests.length).toBe(before);
  });

  it('lists every connector with its webhook URL, configuration and last event', async () => {
    // Act
    const page = await signIn();
    await page.getByRole('link', { name: 'Connectors' }).click();
    const whatsapp = page.locator('tr[data-connector="whatsapp"]');
    await whatsapp.waitFor();

    // Assess
    await expect(whatsapp.locator('code').textContent()).resolves.toBe(`${hub.url}/webhooks/whatsapp`);
    await expect(whatsapp.textContent()).resolves.toMatch(/Configured[\s\S]*Message received/);
    await expect(page.locator('tr[data-connector="hubspot"]').textContent()).resolves.toContain('Nothing received yet');
  });

  it('switches to Ukrainian and Russian, with dates and money in that locale', async () => {
    // Prepare
    const page = await signIn();
    await search(page, OLENA.phone);
    await page.getByRole('heading', { level: 1, name: OLENA.name }).waitFor();

    // Act
    await page.getByRole('combobox', { name: 'Language' }).selectOption('uk');

    // Assess
    await page.getByRole('searchbox', { name: 'Пошук клієнтів' }).waitFor();
    await expect(page.locator('.customer-title').textContent()).resolves.toMatch(/Клієнт з 1 лист\. 2026/);
    await expect(page.getByTestId('ltv').textContent()).resolves.toMatch(/грн/);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('uk');

    await page.getByRole('combobox', { name: 'Мова' }).selectOption('ru');
    await page.getByRole('searchbox', { name: 'Поиск клиентов' }).waitFor();
    await expect(page.locator('.customer-title').textContent()).resolves.toMatch(/Клиент с 1 нояб\. 2026/);
    // The choice is remembered (a preference, not data).
    await page.reload();
    await page.getByRole('searchbox', { name: 'Поиск клиентов' }).waitFor();
  });

  it('charts the contacts per channel of a period, each bar segment and total the API’s numbers', async () => {
    // Prepare: Olena's week, 1–7 November (her seven channels; the merged leads of the 8th are outside).
    const page = await signIn();
    await page.getByRole('link', { name: 'Metrics' }).click();
    await page.getByRole('heading', { level: 1, name: 'Metrics' }).waitFor();

    // Act
    await page.getByLabel('From', { exact: true }).fill('2026-11-01');
    await page.getByLabel('To', { exact: true }).fill('2026-11-07');
    const chart = page.getByRole('img', { name: /Contacts per channel/ });
    await page.locator('svg.chart g[data-bucket="2026-11-07"]').waitFor();

    // Assess: seven day bars; hand-counted segments of the seeded journey.
    expect(await chart.locator('g[data-bucket]').count()).toBe(7);
    const segment = (bucket: string, channel: string) =>
      chart.locator(`g[data-bucket="${bucket}"] rect[data-channel="${channel}"]`).getAttribute('data-contacts');
    expect(await segment('2026-11-01', 'web')).toBe('1'); // the quiz lead
    expect(await segment('2026-11-03', 'whatsapp')).toBe('1');
    expect(await segment('2026-11-04', 'telegram')).toBe('2'); // her message and the shared contact
    expect(await segment('2026-11-05', 'ecommerce')).toBe('1'); // the site order
    expect(await segment('2026-11-06', 'pos')).toBe('1'); // the till receipt
    expect(await segment('2026-11-07', 'whatsapp')).toBe('1'); // the XSS customer's message
    // The table totals each channel's segments, and both equal GET /v1/metrics for the same period.
    const totals = Object.fromEntries(
      await page
        .locator('table.metrics-totals tbody tr')
        .evaluateAll((rows) =>
          rows.map((r: any): [string, number] => [r.dataset.channel, Number(r.querySelector('.num').textContent)]),
        ),
    );
    const bars: Record<string, number> = {};
    for (const rect of await chart.locator('rect[data-channel]').all()) {
      const channel = (await rect.getAttribute('data-channel')) ?? '';
      bars[channel] = (bars[channel] ?? 0) + Number(await rect.getAttribute('data-contacts'));
    }
    expect(bars).toEqual(Object.fromEntries(Object.entries(totals).filter(([, n]) => n > 0)));
    expect(totals).toMatchObject({ web: 1, whatsapp: 2, telegram: 2, ecommerce: 1, pos: 1 });
    const api = (await (
      await fetch(
        `${hub.url}/v1/metrics?from=2026-11-01T00:00:00Z&to=2026-11-08T00:00:00Z&granularity=day&metric=channel_mix`,
        { headers: { authorization: `Bearer ${hub.apiToken}` } },
      )
    ).json()) as {
      metrics: { channel_mix: { series: { key: { channel: string }; points: { contacts: number }[] }[] } };
    };
    expect(
      Object.fromEntries(
        api.metrics.channel_mix.series.map((s) => [s.key.channel, s.points.reduce((n, p) => n + p.contacts, 0)]),
      ),
    ).toEqual(totals);
  });

  it('logs out: back to the login page, and the session is gone on the hub', async () => {
    // Act
    const page = await signIn();
    await page.getByRole('button', { name: 'Log out' }).click();

    // Assess
    await page.getByText('You have signed out.').waitFor();
    await expect(page.evaluate(async () => (await fetch('/console/session')).status)).resolves.toBe(401);
    await page.reload();
    await page.getByLabel('Access token').waitFor();
  });
});
