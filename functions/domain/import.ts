/**
 * Bulk import of an existing customer base: spreadsheet rows → hub events,
 * pure. A mapping names what each column is (an identity, a trait, the
 * contact's id in the old system, a past order's fields); every row becomes
 * one `contact.imported` event, plus an `order.placed` when it carries an
 * order, so imported customers go through the same profile writer, identity
 * resolution and merges as live events.
 *
 * Event ids are deterministic: a contact's id is a hash of the import's
 * source name and the row's normalized content, an order's of the source and
 * order id — so a re-run of the same file (or a re-sorted one) collapses into
 * the events the hub already has and changes nothing. A row is rejected,
 * with every reason, when a phone or email cell cannot be normalized, it
 * has no identity, a date or amount does not parse, or it repeats an
 * earlier row.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { hubEventId } from '../events/event-id.js';
import {
  IDENTITY_TYPES,
  type HubEvent,
  type Identity,
  type IdentityType,
  SCHEMA_VERSION,
  type Traits,
} from '../events/hub-event.js';
import { type CountryCode, identityKey, normalizeIdentities } from './identity.js';

/** The connector name import events carry (`omnihub.import` on the bus). */
export const IMPORT_CONNECTOR = 'import';

/** Event types an import produces; `POST /v1/imports` accepts only these. */
export const IMPORT_EVENT_TYPES = ['contact.imported', 'order.placed'] as const;

const ORDER_FIELDS = ['id', 'number', 'total', 'currency', 'date', 'store'] as const;
type OrderField = (typeof ORDER_FIELDS)[number];

/** What one column is. */
export type ColumnTarget =
  | { readonly kind: 'identity'; readonly type: IdentityType }
  | { readonly kind: 'trait'; readonly key: string }
  | { readonly kind: 'externalId' }
  | { readonly kind: 'occurredAt' }
  | { readonly kind: 'order'; readonly field: OrderField }
  | { readonly kind: 'ignore' };

const TARGET_HELP = `one of ${IDENTITY_TYPES.join(', ')}, trait:<name>, externalId, occurredAt, ${ORDER_FIELDS.map((f) => `order.${f}`).join(', ')}, ignore`;

/** `phone`, `trait:city`, `order.total`, … → the target; undefined when it names none. */
export const parseTarget = (raw: string): ColumnTarget | undefined => {
  const value = raw.trim();
  if ((IDENTITY_TYPES as readonly string[]).includes(value)) return { kind: 'identity', type: value as IdentityType };
  if (value === 'externalId') return { kind: 'externalId' };
  if (value === 'occurredAt') return { kind: 'occurredAt' };
  if (value === 'ignore') return { kind: 'ignore' };
  const trait = /^trait:([A-Za-z][A-Za-z0-9_]{0,63})$/.exec(value);
  if (trait) return { kind: 'trait', key: trait[1] as string };
  const order = /^order\.(\w+)$/.exec(value);
  if (order && (ORDER_FIELDS as readonly string[]).includes(order[1] as string))
    return { kind: 'order', field: order[1] as OrderField };
  return undefined;
};

/** The `--map` file: column header → what it is. */
export const ImportMappingSchema = z
  .object({
    /** Names the import in event ids and on the timeline; defaults to the file's name. */
    source: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" or "-", at most 64')
      .optional(),
    columns: z
      .record(
        z.string().min(1),
        z.string().refine((t) => parseTarget(t) !== undefined, { error: `a column target must be ${TARGET_HELP}` }),
      )
      .refine((c) => Object.keys(c).length > 0, { error: 'map at least one column' }),
    /** Currency of order totals when the file has no currency column (ISO 4217). */
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
  })
  .strict();
export type ImportMapping = z.infer<typeof ImportMappingSchema>;

export interface ImportContext {
  /** The import's name, in event ids: the same source and row content is the same event. */
  readonly source: string;
  /** When the data was true, for rows without an `occurredAt` column (the export's time, e.g. the file's mtime). */
  readonly asOf: string;
  readonly receivedAt: string;
  readonly defaultCountry: CountryCode;
}

export interface RejectedRow {
  /** 1-based data row (the header is row 0; a spreadsheet shows it as line row + 1). */
  readonly row: number;
  readonly reasons: string[];
}

export type RowOutcome =
  | { readonly status: 'accepted'; readonly events: HubEvent[] }
  | { readonly status: 'rejected'; readonly rejected: RejectedRow };

const sha = (value: string): string => createHash('sha256').update(value).digest('hex').slice(0, 32);

/** `1 234,50`, `1,234.50`, `1234.5`, `₴ 99` → minor units (two decimals); undefined when not a number. */
export const parseAmount = (raw: string): number | undefined => {
  let s = raw.replace(/[\s\u00a0]/g, '').replace(/[^\d.,-]/g, '');
  if (!/\d/.test(s)) return undefined;
  const lastComma = s.lastIndexOf(',');
  const lastDot = s.lastIndexOf('.');
  if (lastComma >= 0 && lastDot >= 0) {
    // Both: the later one is the decimal separator.
    s = lastComma > lastDot ? s.replace(/\./g, '').replace(',', '.') : s.replace(/,/g, '');
  } else if (lastComma >= 0) {
    // `12,50` is a decimal comma; `1,234` (three digits after) a thousands separator.
    s = /,\d{1,2}$/.test(s) && s.indexOf(',') === lastComma ? s.replace(',', '.') : s.replace(/,/g, '');
  }
  const n = Number(s);
  return Number.isFinite(n) ? Math.round(n * 100) : undefined;
};

/** ISO 8601, `YYYY-MM-DD`, or `DD.MM.YYYY` (`DD/MM/YYYY`) as exports write it → ISO (UTC midnight for a date). */
export const parseDate = (raw: string): string | undefined => {
  const s = raw.trim();
  const dmy = /^(\d{1,2})[./](\d{1,2})[./](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  const candidate = dmy
    ? `${dmy[3]}-${(dmy[2] as string).padStart(2, '0')}-${(dmy[1] as string).padStart(2, '0')}T${(dmy[4] ?? '0').padStart(2, '0')}:${dmy[5] ?? '00'}:${dmy[6] ?? '00'}Z`
    : /^\d{4}-\d{2}-\d{2}$/.test(s)
      ? `${s}T00:00:00Z`
      : s;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(candidate)) return undefined;
  const t = Date.parse(candidate);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
};

interface Column {
  readonly index: number;
  readonly header: string;
  readonly target: ColumnTarget;
}

/**
 * Plans an import row by row, remembering what earlier rows produced so a
 * repeated row is reported as a duplicate of the first. One planner per file.
 */
export class ImportPlanner {
  private readonly columns: Column[];
  private readonly contacts = new Map<string, number>();
  private readonly externalIds = new Map<string, { row: number; id: string }>();
  private readonly orders = new Map<string, number>();

  /** Throws an Error naming the mapped columns the header lacks. */
  constructor(
    header: readonly string[],
    private readonly mapping: ImportMapping,
    private readonly ctx: ImportContext,
  ) {
    const byName = new Map(header.map((h, i) => [h.trim(), i]));
    const missing = Object.keys(mapping.columns).filter((c) => !byName.has(c.trim()));
    if (missing.length)
      throw new Error(
        `The mapping names column(s) the file does not have: ${missing.map((m) => `"${m}"`).join(', ')}; the header is ${header.map((h) => `"${h}"`).join(', ')}`,
      );
    this.columns = Object.entries(mapping.columns).map(([header, target]) => ({
      index: byName.get(header.trim()) as number,
      header,
      target: parseTarget(target) as ColumnTarget,
    }));
  }

  /** The events of data row `row` (1-based), or why it is rejected. */
  plan(cells: readonly string[], row: number): RowOutcome {
    const reasons: string[] = [];
    const raw: Identity[] = [];
    const traits: Traits = {};
    const order: Partial<Record<OrderField, string>> = {};
    let externalId: string | undefined;
    let occurredAt: string | undefined;
    for (const col of this.columns) {
      const value = (cells[col.index] ?? '').trim();
      if (!value) continue;
      const t = col.target;
      if (t.kind === 'identity') {
        const [normalized] = normalizeIdentities([{ type: t.type, value }], this.ctx.defaultCountry);
        if (normalized) raw.push({ ...normalized, source: IMPORT_CONNECTOR });
        else reasons.push(`bad ${t.type} "${value}" (column "${col.header}")`);
      } else if (t.kind === 'trait') traits[t.key] = value.slice(0, 1000);
      else if (t.kind === 'externalId') externalId = value;
      else if (t.kind === 'occurredAt') {
        occurredAt = parseDate(value);
        if (!occurredAt) reasons.push(`bad date "${value}" (column "${col.header}")`);
      } else if (t.kind === 'order') order[t.field] = value;
    }
    const identities = normalizeIdentities(raw, this.ctx.defaultCountry).slice(0, 50);
    if (identities.length === 0 && reasons.length === 0) reasons.push('no identity (phone, email, messenger id, …)');

    const orderEvent = this.orderOf(order, row, reasons);
    if (reasons.length) return { status: 'rejected', rejected: { row, reasons } };

    const keys = identities.map(identityKey).sort();
    const sortedTraits = Object.fromEntries(Object.entries(traits).sort(([a], [b]) => a.localeCompare(b)));
    const contactKey = sha(JSON.stringify([keys, sortedTraits, externalId ?? null, occurredAt ?? null]));
    const contactId = hubEventId(IMPORT_CONNECTOR, `${this.ctx.source}:contact:${contactKey}`);
    const sameContact = this.contacts.get(contactId);
    if (externalId) {
      const earlier = this.externalIds.get(externalId);
      if (earlier && earlier.id !== contactId)
        reasons.push(`duplicate externalId "${externalId}" with different data (first on row ${earlier.row})`);
    }
    const orderId = orderEvent ? (orderEvent.data as { orderId: string }).orderId : undefined;
    const sameOrder = orderId ? this.orders.get(orderId) : undefined;
    if (sameOrder !== undefined) reasons.push(`duplicate order "${order.id}" (first on row ${sameOrder})`);
    // One row per past order repeats the contact: that is not a duplicate while the order is new.
    if (sameContact !== undefined && !orderEvent) reasons.push(`duplicate of row ${sameContact}`);
    if (reasons.length) return { status: 'rejected', rejected: { row, reasons } };

    if (sameContact === undefined) this.contacts.set(contactId, row);
    if (externalId && !this.externalIds.has(externalId)) this.externalIds.set(externalId, { row, id: contactId });
    if (orderId) this.orders.set(orderId, row);

    const at = occurredAt ?? this.ctx.asOf;
    const envelope = {
      schemaVersion: SCHEMA_VERSION,
      connector: IMPORT_CONNECTOR,
      channel: 'crm' as const,
      receivedAt: this.ctx.receivedAt,
      customer: { identities, traits },
    };
    const events: HubEvent[] = [];
    if (sameContact === undefined)
      events.push({
        ...envelope,
        id: contactId,
        providerEventId: `${this.ctx.source}:contact:${contactKey}`,
        type: 'contact.imported',
        occurredAt: at,
        summary: `Imported from ${this.ctx.source}`,
        data: { source: this.ctx.source, row, ...(externalId ? { externalId } : {}) },
      });
    if (orderEvent) events.push({ ...envelope, ...orderEvent, occurredAt: orderEvent.occurredAt ?? at } as HubEvent);
    return { status: 'accepted', events };
  }

  /** The row's past order (without the envelope), or undefined; problems go into `reasons`. */
  private orderOf(order: Partial<Record<OrderField, string>>, row: number, reasons: string[]) {
    if (!order.id && !order.total) return undefined;
    if (!order.id) {
      reasons.push('an order total without an order id');
      return undefined;
    }
    const amount = order.total === undefined ? undefined : parseAmount(order.total);
    if (amount === undefined) reasons.push(`bad order total "${order.total ?? ''}"`);
    const currency = (order.currency ?? this.mapping.currency ?? '').toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency))
      reasons.push(
        order.currency ? `bad currency "${order.currency}"` : 'no currency: add an order.currency column or "currency"',
      );
    const date = order.date === undefined ? undefined : parseDate(order.date);
    if (order.date !== undefined && !date) reasons.push(`bad order date "${order.date}"`);
    if (amount === undefined || reasons.length) return undefined;
    // The source in the order id keeps two imports' order numbers apart (orders count once per id).
    const orderId = `${this.ctx.source}:${order.id}`;
    return {
      id: hubEventId(IMPORT_CONNECTOR, `${this.ctx.source}:order:${order.id}`),
      providerEventId: `${this.ctx.source}:order:${order.id}`,
      type: 'order.placed' as const,
      ...(date ? { occurredAt: date } : {}),
      summary: `Order ${order.number ?? order.id} (imported, row ${row})`,
      data: {
        orderId,
        orderNumber: order.number ?? order.id,
        total: { amountMinor: amount, currency },
        items: [],
        ...(order.store ? { store: order.store } : {}),
      },
    };
  }
}
