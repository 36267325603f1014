/**
 * Events the hub emits about profiles themselves, so subscribers can follow
 * the customer view: a new profile, the changes that matter to other systems,
 * merges, unmerges and erasure (`Source: omnihub.hub`).
 * Part of the published contract beside the touchpoints (`BusEventSchema`,
 * docs/hub-event.schema.json, docs/event-catalogue.md). Ids are
 * deterministic, so a re-published notification is recognisably the same one
 * (subscribers dedupe on it).
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { BusEntry } from './envelope.js';
import {
  ChannelSchema,
  CustomerSnapshotSchema,
  HUB_SOURCE,
  HubEventSchema,
  IdentitySchema,
  MoneySchema,
  SCHEMA_VERSION,
  TraitsSchema,
} from './hub-event.js';

export const CUSTOMER_EVENT_TYPES = [
  'customer.created',
  'customer.updated',
  'customer.merged',
  'customer.unmerged',
  'customer.erased',
] as const;
export type CustomerEventType = (typeof CUSTOMER_EVENT_TYPES)[number];

export const CUSTOMER_EVENT_DESCRIPTIONS: Record<CustomerEventType, string> = {
  'customer.created':
    'The first event of a new person started profile `customerId` (`causedBy`); `changes` holds what it knows of her.',
  'customer.updated':
    'An event changed what other systems keep of the customer: traits, identities, consent, the preferred channel, or her lifetime value crossed a configured threshold; `changed` names the fields, `changes` holds the new values.',
  'customer.merged':
    'An event linked profiles that were one person: `relatedIds` were merged into `customerId`, the oldest profile, which survives.',
  'customer.unmerged':
    'An operator split identities off a profile: they now belong to the new profile `relatedIds[0]` (`identities` lists them).',
  'customer.erased':
    'The customer was erased (right to erasure): `customerId` and the profiles merged into it (`relatedIds`) hold no personal data any more.',
};

const shape = {
  schemaVersion: z.literal(SCHEMA_VERSION),
  id: z.string().regex(/^evt_[0-9a-f]{32}$/),
  occurredAt: z.iso.datetime({ offset: true }),
  /** The profile that remains (merged, unmerged) or was erased. */
  customerId: z.string().min(1),
  profile: CustomerSnapshotSchema.optional().meta({
    description: "Subscriber deliveries with `enrich: 'customer'`: the snapshot of `customerId`'s profile now",
  }),
};

/** The fields other systems keep of a customer, as `customer.updated` names them in `changed`. */
export const PROFILE_FIELDS = ['traits', 'identities', 'consent', 'preferredChannel', 'lifetimeValue'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

const ThresholdCrossingSchema = z.object({
  threshold: MoneySchema,
  direction: z.enum(['up', 'down']),
});

/** What changed, with the new values; a field absent did not change. */
const ProfileChangesSchema = z
  .object({
    traits: TraitsSchema.optional().meta({ description: 'Traits with a new value (the new value each)' }),
    identities: z.array(IdentitySchema).optional().meta({ description: 'Identities newly linked to the profile' }),
    consent: z
      .partialRecord(
        ChannelSchema,
        z.object({ status: z.enum(['granted', 'revoked']), at: z.iso.datetime({ offset: true }) }),
      )
      .optional()
      .meta({ description: 'Channels whose consent status changed, with the new status' }),
    preferredChannel: z
      .object({ from: ChannelSchema.nullable(), to: ChannelSchema.nullable() })
      .optional()
      .meta({ description: 'The channel she answers in, before and after (null: none)' }),
    lifetimeValue: z
      .object({
        value: MoneySchema.nullable(),
        previous: MoneySchema.nullable(),
        crossed: z.array(ThresholdCrossingSchema).min(1),
      })
      .optional()
      .meta({ description: 'Lifetime value, when it crossed thresholds of OMNIHUB_LIFETIME_VALUE_THRESHOLDS' }),
  })
  .strict();
export type ProfileChanges = z.infer<typeof ProfileChangesSchema>;

const changeShape = {
  /** The names of the fields in `changes`, so a pattern can pick e.g. consent changes: `detail: { changed: ['consent'] }`. */
  changed: z.array(z.enum(PROFILE_FIELDS)).meta({ description: 'The fields in `changes`' }),
  changes: ProfileChangesSchema,
  causedBy: z.string().meta({ description: 'Id of the touchpoint event that made the change' }),
};

const CustomerCreatedSchema = z.object({ ...shape, type: z.literal('customer.created'), ...changeShape }).strict();

const CustomerUpdatedSchema = z
  .object({ ...shape, type: z.literal('customer.updated'), ...changeShape, changed: changeShape.changed.min(1) })
  .strict();

const CustomerMergedSchema = z
  .object({
    ...shape,
    type: z.literal('customer.merged'),
    relatedIds: z.array(z.string().min(1)).min(1).meta({ description: 'The profiles merged into `customerId`' }),
    causedBy: z.string().optional().meta({ description: 'Id of the touchpoint event that linked them' }),
  })
  .strict();

const CustomerUnmergedSchema = z
  .object({
    ...shape,
    type: z.literal('customer.unmerged'),
    relatedIds: z.array(z.string().min(1)).length(1).meta({ description: 'The new profile split off' }),
    identities: z
      .array(z.string().min(3))
      .min(1)
      .meta({ description: 'Identity keys (`type:value`) that moved to the new profile' }),
  })
  .strict();

const CustomerErasedSchema = z
  .object({
    ...shape,
    type: z.literal('customer.erased'),
    relatedIds: z.array(z.string().min(1)).meta({ description: 'Profiles merged into it, erased with it' }),
  })
  .strict();

/** The notifications about profiles, discriminated on `type`. */
export const CustomerEventSchema = z.discriminatedUnion('type', [
  CustomerCreatedSchema,
  CustomerUpdatedSchema,
  CustomerMergedSchema,
  CustomerUnmergedSchema,
  CustomerErasedSchema,
]);
export type CustomerEvent = z.infer<typeof CustomerEventSchema>;

/** Everything on the hub's bus: the touchpoints and the notifications about profiles. */
export const BusEventSchema = z.discriminatedUnion('type', [...HubEventSchema.options, ...CustomerEventSchema.options]);

export const isCustomerEventType = (type: unknown): type is CustomerEventType =>
  (CUSTOMER_EVENT_TYPES as readonly unknown[]).includes(type);

/** Validates and returns a typed notification; throws a ZodError naming the bad field. */
export const parseCustomerEvent = (input: unknown): CustomerEvent => CustomerEventSchema.parse(input);

/** What the store decides; the type, id and version are added here. */
export interface CustomerEventFields {
  readonly occurredAt: string;
  readonly customerId: string;
  /** Merged, unmerged and erased only. */
  readonly relatedIds?: readonly string[];
  readonly identities?: readonly string[];
  readonly causedBy?: string;
  /** Created and updated only. */
  readonly changed?: readonly ProfileField[];
  readonly changes?: ProfileChanges;
}

/** The bus entry of a notification, validated against its schema so nothing off-contract is published. */
export const customerEvent = (type: CustomerEventType, fields: CustomerEventFields): BusEntry => {
  const id = `evt_${createHash('sha256')
    .update(
      `${type}\n${fields.customerId}\n${[...(fields.relatedIds ?? [])].sort().join(',')}\n${fields.causedBy ?? fields.occurredAt}`,
    )
    .digest('hex')
    .slice(0, 32)}`;
  const detail = parseCustomerEvent({ schemaVersion: SCHEMA_VERSION, id, type, ...fields });
  return { source: HUB_SOURCE, detailType: type, detail };
};
