/**
 * The response schemas the customer routes share: a profile and a timeline
 * page as the API shows them. Built from the event contract's own schemas
 * (identities, channels, traits, money), and checked against the domain
 * types at compile time by `respond`, so a change to the profile that the
 * API would leak or lose fails the type check.
 */
import * as z from 'zod';
import {
  ChannelSchema,
  HUB_EVENT_TYPES,
  type HubEventType,
  IdentitySchema,
  MoneySchema,
  TicketStatusSchema,
  TraitsSchema,
} from '../../events/hub-event.js';

const HubEventTypeSchema = z.enum(HUB_EVENT_TYPES as [HubEventType, ...HubEventType[]]);
/** Partial record keyed by channel: zod 4's `z.record` over an enum requires every key. */
const byChannel = <T extends z.ZodType>(value: T) => z.partialRecord(ChannelSchema, value);

const ComputedTraitsSchema = z.object({
  netRevenue: MoneySchema.optional().meta({
    description: 'Gross − refunds − cancelled orders in the main currency',
  }),
  averageOrderValue: MoneySchema.optional(),
  purchaseFrequency: z.number().optional().meta({ description: 'Orders per year over the buying period' }),
  lifetimeValue: MoneySchema.optional().meta({ description: 'averageOrderValue × purchaseFrequency × lifespan' }),
  preferredChannel: ChannelSchema.optional().meta({
    description: 'Stated preference, else the channel the customer answers in, while consent allows',
  }),
  abandonedCart: z.boolean(),
});

export const ProfileViewSchema = z
  .object({
    customerId: z.string(),
    identities: z.array(IdentitySchema),
    traits: TraitsSchema,
    computed: ComputedTraitsSchema.meta({ description: 'Derived from the stored aggregates at read time' }),
    channels: byChannel(z.object({ firstSeen: z.string(), lastSeen: z.string(), count: z.number().int() })),
    lastChannel: ChannelSchema.optional(),
    lastInteractionAt: z.string().optional(),
    consent: byChannel(
      z.object({
        status: z.enum(['granted', 'revoked']),
        at: z.string(),
        source: z.string().meta({ description: 'Connector that reported it' }),
        reason: z.string().optional(),
      }),
    ),
    unreachable: byChannel(
      z.object({
        at: z.string(),
        code: z.string().meta({ description: "The vendor's error code" }),
        reason: z.string(),
        source: z.string().meta({ description: 'Connector that reported it' }),
      }),
    )
      .optional()
      .meta({
        description:
          'Channels a permanent send failure marked unreachable (blocked the bot, not on WhatsApp, hard bounce) until she writes there again',
      }),
    orders: z.object({
      count: z.number().int(),
      revenue: z.record(z.string(), z.number().int()).meta({ description: 'Gross per currency, minor units' }),
      refunded: z.record(z.string(), z.number().int()).meta({ description: 'Refunded per currency, minor units' }),
      cancelled: z
        .record(z.string(), z.number().int())
        .optional()
        .meta({ description: 'Unrefunded rest of counted orders cancelled afterwards, per currency, minor units' }),
      cancelledCount: z.number().int().optional().meta({ description: 'Counted orders cancelled afterwards' }),
      firstAt: z.string().optional(),
      lastAt: z.string().optional(),
    }),
    promoCodes: z.array(z.string()),
    lastCartAt: z.string().optional().meta({ description: 'Last cart update or started checkout' }),
    tickets: z
      .record(
        z.string(),
        z.object({
          status: TicketStatusSchema,
          subject: z.string().optional(),
          at: z.string(),
          source: z.string().meta({ description: 'Connector that reported it' }),
        }),
      )
      .optional()
      .meta({ description: 'Support tickets by <connector>:<ticketId>, newest state each (the 20 latest)' }),
    firstSeenAt: z.string(),
    eventCount: z.number().int(),
    mergedIds: z.array(z.string()).optional().meta({ description: 'Profiles merged into this one' }),
    warnings: z.array(z.string()).optional().meta({ description: 'Guard-rail notes: ignored identities, caps hit' }),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number().int(),
  })
  .meta({ id: 'Profile', description: 'The single customer view of one person' });

export const TimelineItemSchema = z
  .object({
    eventId: z.string(),
    customerId: z.string(),
    type: HubEventTypeSchema,
    channel: ChannelSchema,
    connector: z.string(),
    providerEventId: z.string(),
    occurredAt: z.string(),
    receivedAt: z.string(),
    summary: z.string(),
    identities: z.array(IdentitySchema),
    traits: TraitsSchema,
    data: z.unknown().meta({ description: "The event's `data`, by type (docs/event-catalogue.md)" }),
  })
  .meta({ id: 'TimelineItem' });

export const TimelinePageSchema = z
  .object({
    items: z.array(TimelineItemSchema).meta({ description: 'Newest first, across merged profiles' }),
    nextCursor: z.string().optional().meta({ description: 'Pass back as `cursor` for the next (older) page' }),
  })
  .meta({ id: 'TimelinePage' });
