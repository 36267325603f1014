/** `omnihub subscriptions test`: would this event reach that subscription? (EventBridge's TestEventPattern, locally). */
import { existsSync, readFileSync } from 'node:fs';
import * as z from 'zod';
import { findConnector } from '../../functions/connectors/loaded.js';
import { type EventBridgeEnvelope, toBusEntry, toEnvelope } from '../../functions/events/envelope.js';
import { isCustomerEventType, parseCustomerEvent } from '../../functions/events/customer-events.js';
import { HUB_SOURCE, parseHubEvent } from '../../functions/events/hub-event.js';
import { compilePattern } from '../../functions/events/pattern-matcher.js';
import { applyTransform } from '../../functions/subscriptions/transform.js';
import { type Command, EXIT, parseCommandArgs, UsageError } from '../cli.js';
import { requireSubscription } from '../support/subscriptions.js';

const HELP = `omnihub subscriptions test <name> --event <file> [--connector <name>]

Tells whether an event matches the subscription's pattern, with the same
EventBridge-compatible matcher the local bus uses (the TestEventPattern
question). <file> is an EventBridge envelope, a hub event (a touchpoint or a
customer.* notification), a JSON array of them, or — with --connector — a raw vendor payload (e.g.
functions/connectors/marquiz/fixtures/lead.json), normalized first. Prints the
body the subscriber would receive.
Exit code 0 when at least one event matches, 1 when none does.`;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The envelopes a file stands for: envelopes as they are, hub events wrapped as the bus would. */
const envelopesOfJson = (file: string, json: unknown): Record<string, unknown>[] =>
  (Array.isArray(json) ? json : [json]).map((item: unknown) => envelopeOf(file, item));

/** One item of the file; an event that breaks its contract is the caller's mistake, named field by field. */
const envelopeOf = (file: string, item: unknown): Record<string, unknown> => {
  try {
    return parseItem(file, item);
  } catch (err) {
    if (err instanceof z.ZodError)
      throw new UsageError(`${file} is not a valid event: ${z.prettifyError(err).replaceAll('\n', '; ')}`);
    throw err;
  }
};

/** An envelope as it is; a touchpoint or a customer.* notification wrapped as the bus would, parsed by its schema. */
const parseItem = (file: string, item: unknown): Record<string, unknown> => {
  if (isObject(item) && 'detail-type' in item && 'detail' in item) return item;
  if (isObject(item) && 'schemaVersion' in item && isCustomerEventType(item.type)) {
    const detail = parseCustomerEvent(item);
    return { ...toEnvelope({ source: HUB_SOURCE, detailType: detail.type, detail }) };
  }
  if (isObject(item) && 'schemaVersion' in item && 'type' in item)
    return { ...toEnvelope(toBusEntry(parseHubEvent(item))) };
  throw new UsageError(
    `${file} holds neither an EventBridge envelope nor a hub event; for a raw vendor payload add --connector <name>`,
  );
};

/** A raw vendor payload, normalized by its connector as the ingest function would. */
const envelopesOfPayload = (connectorName: string, body: Buffer): EventBridgeEnvelope[] => {
  const connector = findConnector(connectorName);
  if (!connector) throw new UsageError(`No connector named "${connectorName}"`);
  const path = `/webhooks/${connector.name}`;
  const req = {
    method: 'POST',
    url: `http://localhost${path}`,
    path,
    query: {},
    headers: { 'content-type': 'application/json' },
    body,
  };
  const { events } = connector.normalize(connector.parse(req), {
    receivedAt: new Date().toISOString(),
    defaultCountry: 'UA',
  });
  return events.map((e) => toEnvelope(toBusEntry(e)));
};

/**
 * The envelopes an `--event` file stands for (an envelope, a hub event, an
 * array of them, or a raw vendor payload with `connector`); a usage error
 * names what is wrong with it.
 */
export const readEventFile = (
  file: string | undefined,
  connector: string | undefined,
  help: string,
): Record<string, unknown>[] => {
  if (!file) throw new UsageError('Missing --event <file>', help);
  if (!existsSync(file)) throw new UsageError(`No such file: ${file}`);
  const raw = readFileSync(file);
  if (connector) return envelopesOfPayload(connector, raw).map((e) => ({ ...e }));
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new UsageError(`${file} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return envelopesOfJson(file, json);
};

/** `<detail-type> <event id>` of an envelope, for one line of output. */
export const describeEnvelope = (envelope: Record<string, unknown>): string => {
  const detail = envelope.detail;
  const id = isObject(detail) && typeof detail.id === 'string' ? detail.id : envelope.id;
  return `${String(envelope['detail-type'])} ${String(id)}`;
};

export const subscriptionsTestCommand: Command = {
  words: ['subscriptions', 'test'],
  summary: 'does an event (file) match a subscription? exit 0 if so, 1 if not',
  help: HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      args,
      { event: { type: 'string' }, connector: { type: 'string' } },
      HELP,
    );
    const subscription = await requireSubscription(ctx, positionals[0], HELP);
    const envelopes = readEventFile(values.event, values.connector, HELP);
    const matches = compilePattern(subscription.pattern);
    let matched = 0;
    for (const envelope of envelopes) {
      const ok = matches(envelope);
      if (ok) matched++;
      ctx.io.out(`${ok ? 'MATCH   ' : 'NO MATCH'}  ${subscription.name} ← ${describeEnvelope(envelope)}`);
      if (ok && subscription.transform)
        ctx.io.out(`  body: ${JSON.stringify(applyTransform(subscription.transform, envelope))}`);
    }
    if (envelopes.length === 0) ctx.io.out('The payload produced no hub events.');
    return matched > 0 ? EXIT.ok : EXIT.failed;
  },
};
