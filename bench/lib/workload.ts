/**
 * The end-to-end workload: customer journeys across channels, turned into
 * vendor webhooks by editing the connectors' own fixtures (so every body is
 * one the connector really accepts), signed by each connector's
 * `signSample`.
 *
 * A stream is built in three waves (first touch, second touch, linking
 * touch), each shuffled with a seeded PRNG, so channels interleave and the
 * profiles a linking event joins already exist when it arrives: those are
 * the merges. Journeys (share of customers):
 *
 * - `whatsapp`       (35 %) WhatsApp message, another, sometimes a third: returning customer.
 * - `telegram-merge` (15 %) Telegram text (Telegram id only), WhatsApp message (phone),
 *                            then a Telegram contact card with her own phone: merges the two.
 * - `telegram`       (10 %) two Telegram texts.
 * - `shop-merge`     (10 %) Shopify order (email), Binotel call (phone), then a Marquiz lead
 *                            with phone and email: merges the two.
 * - `call`           (15 %) Binotel or Ringostat call, then a WhatsApp message from the same phone.
 * - `lead`           (15 %) Marquiz lead, then a Binotel call from the same phone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findConnector } from '../../functions/connectors/loaded.js';
import type { ConnectorSecrets } from '../../functions/connectors/types.js';
import type { RawRequest } from '../../functions/shared/http.js';
import { CONNECTORS_DIR } from '../../test/helpers/fixtures.js';

export type Touch = 'whatsapp' | 'telegram' | 'telegram-contact' | 'marquiz' | 'binotel' | 'ringostat' | 'shopify';
export type Journey = 'whatsapp' | 'telegram-merge' | 'telegram' | 'shop-merge' | 'call' | 'lead';

export const JOURNEY_WEIGHTS: Readonly<Record<Journey, number>> = {
  whatsapp: 35,
  'telegram-merge': 15,
  telegram: 10,
  'shop-merge': 10,
  call: 15,
  lead: 15,
};

export const TOUCH_CONNECTOR: Readonly<Record<Touch, string>> = {
  whatsapp: 'whatsapp',
  telegram: 'telegram',
  'telegram-contact': 'telegram',
  marquiz: 'marquiz',
  binotel: 'binotel',
  ringostat: 'ringostat',
  shopify: 'shopify',
};

/** Kind of touchpoint, for reporting: messages, calls, leads, orders. */
export const TOUCH_KIND: Readonly<Record<Touch, 'message' | 'call' | 'lead' | 'order'>> = {
  whatsapp: 'message',
  telegram: 'message',
  'telegram-contact': 'message',
  marquiz: 'lead',
  binotel: 'call',
  ringostat: 'call',
  shopify: 'order',
};

export interface Customer {
  readonly index: number;
  /** E.164, a Ukrainian mobile (+38067…). */
  readonly phone: string;
  /** National form as a PBX reports it (067…). */
  readonly nationalPhone: string;
  readonly waId: string;
  readonly telegramId: number;
  readonly username: string;
  readonly email: string;
  readonly shopifyId: number;
}

/**
 * Customer `index` of stream `stream`: every identifier is unique per
 * (stream, index), so streams never share people unless meant to.
 */
export const customer = (stream: number, index: number): Customer => {
  if (index < 0 || index >= 200_000 || stream < 0 || stream >= 40)
    throw new RangeError('customer index or stream out of range');
  const n = 1_000_000 + stream * 200_000 + index;
  const phone = `+38067${n}`;
  return {
    index,
    phone,
    nationalPhone: `067${n}`,
    waId: phone.slice(1),
    telegramId: 7_000_000_000 + stream * 1_000_000 + index,
    username: `bench${stream}u${index}`,
    email: `c${stream}x${index}@bench.example.com`,
    shopifyId: 8_000_000_000 + stream * 1_000_000 + index,
  };
};

/** mulberry32: small, fast, seeded; the stream is the same on every run. */
export const prng = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const pick = <T extends string>(weights: Readonly<Record<T, number>>, r: number): T => {
  const entries = Object.entries(weights) as [T, number][];
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let x = r * total;
  for (const [k, w] of entries) {
    if ((x -= w) < 0) return k;
  }
  return (entries[entries.length - 1] as [T, number])[0];
};

const journeyTouches = (journey: Journey, rand: () => number): Touch[] => {
  switch (journey) {
    case 'whatsapp':
      return rand() < 0.3 ? ['whatsapp', 'whatsapp', 'whatsapp'] : ['whatsapp', 'whatsapp'];
    case 'telegram-merge':
      return ['telegram', 'whatsapp', 'telegram-contact'];
    case 'telegram':
      return ['telegram', 'telegram'];
    case 'shop-merge':
      return ['shopify', 'binotel', 'marquiz'];
    case 'call':
      return [rand() < 0.5 ? 'binotel' : 'ringostat', 'whatsapp'];
    case 'lead':
      return ['marquiz', 'binotel'];
  }
};

export interface Step {
  /** Position in the stream; also makes provider ids unique. */
  readonly seq: number;
  readonly customer: number;
  readonly journey: Journey;
  readonly touch: Touch;
  /** 0 = first touch, 1 = second, 2 = linking touch. */
  readonly wave: number;
  /** The touch that should join two existing profiles. */
  readonly expectMerge: boolean;
}

/** The ordered webhooks of `customers` journeys: waves in order, each wave shuffled. */
export const planStream = (customers: number, seed: number): Step[] => {
  const rand = prng(seed);
  const waves: Omit<Step, 'seq'>[][] = [[], [], []];
  for (let i = 0; i < customers; i++) {
    const journey = pick(JOURNEY_WEIGHTS, rand());
    journeyTouches(journey, rand).forEach((touch, wave) => {
      const expectMerge = wave === 2 && (journey === 'telegram-merge' || journey === 'shop-merge');
      (waves[wave] as Omit<Step, 'seq'>[]).push({ customer: i, journey, touch, wave, expectMerge });
    });
  }
  const steps: Step[] = [];
  for (const wave of waves) {
    for (let i = wave.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [wave[i], wave[j]] = [wave[j] as Omit<Step, 'seq'>, wave[i] as Omit<Step, 'seq'>];
    }
    for (const s of wave) steps.push({ ...s, seq: steps.length });
  }
  return steps;
};

// ------------------------------------------------------------------ bodies

const template = (connector: string, file: string): string =>
  readFileSync(join(CONNECTORS_DIR, connector, 'fixtures', file), 'utf8');

let templates: Record<string, string> | undefined;
const tpl = (key: string): string => {
  templates ??= {
    whatsapp: template('whatsapp', 'message-text.json'),
    telegram: template('telegram', 'message-text.json'),
    'telegram-contact': template('telegram', 'message-contact.json'),
    marquiz: template('marquiz', 'lead.json'),
    binotel: template('binotel', 'api-call-completed.txt'),
    ringostat: template('ringostat', 'call-answered.json'),
    shopify: template('shopify', 'orders-create.json'),
  };
  return templates[key] as string;
};

type Json = Record<string, any>;

export interface Body {
  readonly connector: string;
  readonly contentType: string;
  readonly body: Buffer;
}

/**
 * The webhook body of one step: the fixture with the customer's identifiers,
 * provider ids derived from `seq` (unique per stream: see `signSteps`) and
 * `tag`, and a time of `atMs`.
 */
export const buildBody = (touch: Touch, c: Customer, seq: number, atMs: number, tag: string): Body => {
  const sec = Math.floor(atMs / 1000);
  const iso = new Date(atMs).toISOString();
  const json = (value: unknown): Body => ({
    connector: TOUCH_CONNECTOR[touch],
    contentType: 'application/json',
    body: Buffer.from(JSON.stringify(value)),
  });
  switch (touch) {
    case 'whatsapp': {
      const j = JSON.parse(tpl('whatsapp')) as Json;
      const value = j.entry[0].changes[0].value;
      value.contacts[0].wa_id = c.waId;
      value.contacts[0].profile.name = `Customer ${c.index}`;
      value.messages[0].from = c.waId;
      value.messages[0].id = `wamid.bench.${tag}.${seq}`;
      value.messages[0].timestamp = String(sec);
      value.messages[0].text.body = `Hello, order question #${seq}`;
      return json(j);
    }
    case 'telegram':
    case 'telegram-contact': {
      const j = JSON.parse(tpl(touch)) as Json;
      const updateId = 100_000_000 + seq;
      j.update_id = updateId;
      const m = j.message;
      m.message_id = seq;
      m.date = sec;
      for (const who of [m.from, m.chat]) {
        who.id = c.telegramId;
        who.username = c.username;
      }
      if (touch === 'telegram') m.text = `Hi, is it in stock? (${seq})`;
      else {
        m.contact.user_id = c.telegramId;
        m.contact.phone_number = c.phone;
      }
      return json(j);
    }
    case 'marquiz': {
      const j = JSON.parse(tpl('marquiz')) as Json;
      j.contacts = { name: `Customer ${c.index}`, phone: c.phone, email: c.email };
      j.created = iso;
      return json(j);
    }
    case 'ringostat': {
      const j = JSON.parse(tpl('ringostat')) as Json;
      j.uniqueid = `${sec}.${seq}`;
      j.caller = c.waId;
      j.calldate = iso;
      return json(j);
    }
    case 'shopify': {
      const j = JSON.parse(tpl('shopify')) as Json;
      j.id = 5_000_000_000 + seq;
      j.name = `#B${seq}`;
      j.order_number = seq;
      j.email = c.email;
      j.contact_email = c.email;
      j.created_at = iso;
      j.processed_at = iso;
      j.updated_at = iso;
      j.admin_graphql_api_id = `gid://shopify/Order/${j.id}`;
      // The template is Shopify's test notification (test, voided, cancelled), which the hub ignores:
      // make it a live order awaiting payment, so each touch is one order.placed.
      j.test = false;
      j.financial_status = 'pending';
      j.cancelled_at = null;
      j.cancel_reason = null;
      if (j.customer) {
        j.customer.id = c.shopifyId;
        j.customer.email = c.email;
        j.customer.admin_graphql_api_id = `gid://shopify/Customer/${c.shopifyId}`;
        if (j.customer.default_address) j.customer.default_address.customer_id = c.shopifyId;
      }
      return json(j);
    }
    case 'binotel': {
      const form = new URLSearchParams(tpl('binotel').trim());
      const callId = String(3_000_000_000 + seq);
      form.set('callDetails[generalCallID]', callId);
      form.set('callDetails[callID]', callId);
      form.set('callDetails[externalNumber]', c.nationalPhone);
      form.set('callDetails[startTime]', String(sec));
      return {
        connector: 'binotel',
        contentType: 'application/x-www-form-urlencoded',
        body: Buffer.from(form.toString()),
      };
    }
  }
};

/** The identity to look the step's customer up by in the read API. */
export const probeIdentity = (touch: Touch, c: Customer): string => {
  switch (touch) {
    case 'whatsapp':
      return `whatsapp:${c.waId}`;
    case 'telegram':
    case 'telegram-contact':
      return `telegram:${c.telegramId}`;
    case 'shopify':
      return `email:${c.email}`;
    default:
      return `phone:${c.phone}`;
  }
};

// ------------------------------------------------------------------ signed requests

export interface WireRequest {
  /** Path and query, e.g. `/webhooks/marquiz?token=…`. */
  readonly path: string;
  readonly headers: Record<string, string>;
  /** Body, base64 (the request file is JSON). */
  readonly body: string;
  readonly connector: string;
  readonly touch: Touch;
  /** Hub event ids the webhook yields (computed with the connector's own parse + normalize). */
  readonly eventIds: string[];
  /** Read-API lookup for the ack→visible probe. */
  readonly identity: string;
  readonly expectMerge: boolean;
}

/**
 * Signs the steps for a hub at `baseUrl`, as the vendors would, at `now`;
 * checks each body with the connector's `parse` + `normalize` and records
 * the event ids it yields. Throws when a built body does not yield an event,
 * so a fixture change cannot silently turn the load into 4xx.
 */
export const signSteps = (
  steps: readonly Step[],
  {
    stream,
    baseUrl,
    secrets,
    now,
    tag,
    startMs,
  }: { stream: number; baseUrl: string; secrets: ConnectorSecrets; now: Date; tag: string; startMs: number },
): WireRequest[] =>
  steps.map((step) => {
    const c = customer(stream, step.customer);
    // Provider ids derive from this, so two streams on one table never collide (or dedupe).
    const uid = stream * 1_000_000 + step.seq;
    // 10 ms apart, so a customer's touches keep their order in her timeline.
    const built = buildBody(step.touch, c, uid, startMs + step.seq * 10, tag);
    const connector = findConnector(built.connector);
    if (!connector) throw new Error(`connector ${built.connector} is not registered`);
    const url = `${baseUrl.replace(/\/+$/, '')}/webhooks/${connector.name}`;
    const signed = connector.signSample(
      { url, method: 'POST', body: built.body, contentType: built.contentType, now },
      secrets,
    );
    const body = signed.body ?? built.body;
    const headers: Record<string, string> = { 'content-type': built.contentType };
    for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = v;
    const target = new URL(signed.url);
    const query: Record<string, string> = {};
    for (const [k, v] of target.searchParams) if (!(k in query)) query[k] = v;
    const raw: RawRequest = { method: 'POST', url: signed.url, path: target.pathname, query, headers, body };
    const result = connector.normalize(connector.parse(raw), { receivedAt: now.toISOString(), defaultCountry: 'UA' });
    if (result.events.length === 0)
      throw new Error(
        `${step.touch} body for step ${step.seq} yields no event (ignored: ${result.ignored.join('; ')})`,
      );
    return {
      path: `${target.pathname}${target.search}`,
      headers,
      body: body.toString('base64'),
      connector: connector.name,
      touch: step.touch,
      eventIds: result.events.map((e) => e.id),
      identity: probeIdentity(step.touch, c),
      expectMerge: step.expectMerge,
    };
  });

/**
 * The hub events one touch of customer `c` yields, through the connector's
 * own `signSample` (for delivery headers such as Shopify's topic), `parse`
 * and `normalize`: the events the store would be handed.
 */
export const touchEvents = (touch: Touch, c: Customer, uid: number, atMs: number, tag: string) => {
  const built = buildBody(touch, c, uid, atMs, tag);
  const connector = findConnector(built.connector);
  if (!connector) throw new Error(`connector ${built.connector} is not registered`);
  const now = new Date(atMs);
  const url = `http://127.0.0.1/webhooks/${connector.name}`;
  const signed = connector.signSample(
    { url, method: 'POST', body: built.body, contentType: built.contentType, now },
    { secret: 'bench' },
  );
  const headers: Record<string, string> = { 'content-type': built.contentType };
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = v;
  const target = new URL(signed.url);
  const raw: RawRequest = {
    method: 'POST',
    url: signed.url,
    path: target.pathname,
    query: Object.fromEntries(target.searchParams),
    headers,
    body: signed.body ?? built.body,
  };
  return connector.normalize(connector.parse(raw), { receivedAt: now.toISOString(), defaultCountry: 'UA' }).events;
};
