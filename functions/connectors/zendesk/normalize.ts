/**
 * Zendesk ticket activity → `ticket.created` / `ticket.updated` /
 * `ticket.solved` on the help desk channel. Pure. Statuses come in
 * Zendesk's own vocabulary (the hub's ticket vocabulary is Zendesk's), in
 * whatever case the placeholder or the event renders them (`Open`, `open`).
 */
import { buildEvent, fromDateString } from '../shared/build-event.js';
import type { Identity, SurveyScore, TicketStatus } from '../../events/hub-event.js';
import type { NormalizeContext, NormalizeResult } from '../types.js';
import {
  parseTicketDetail,
  type ZendeskDelivery,
  type ZendeskEvent,
  type ZendeskTicketDetail,
  type ZendeskTrigger,
} from './schema.js';

const CONNECTOR = 'zendesk';

const STATUS_WORDS: Readonly<Record<string, TicketStatus>> = {
  new: 'new',
  open: 'open',
  pending: 'pending',
  hold: 'on_hold',
  on_hold: 'on_hold',
  'on-hold': 'on_hold',
  'on hold': 'on_hold',
  solved: 'solved',
  closed: 'closed',
};

/** Zendesk's status in the hub's words; undefined for an unrendered placeholder or a custom word. */
export const ticketStatus = (raw: string | null | undefined): TicketStatus | undefined =>
  raw ? STATUS_WORDS[raw.trim().toLowerCase()] : undefined;

const PRIORITIES = new Set(['low', 'normal', 'high', 'urgent']);
const priorityOf = (raw: string | null | undefined) => {
  const p = raw?.trim().toLowerCase();
  return p && PRIORITIES.has(p) ? (p as 'low' | 'normal' | 'high' | 'urgent') : undefined;
};

/**
 * Zendesk's two-way satisfaction (`good`/`bad`, rendered `Good`, or "Good,
 * I'm satisfied") as CSAT 5/1, so the CSAT share of 4–5 equals Zendesk's
 * own good / (good + bad). `offered`/`unoffered` is no rating.
 */
export const satisfactionScore = (rating: string | null | undefined): SurveyScore | undefined => {
  const word = rating?.trim().toLowerCase() ?? '';
  if (word.startsWith('good')) return { kind: 'csat', value: 5 };
  if (word.startsWith('bad')) return { kind: 'csat', value: 1 };
  return undefined;
};

const present = (v: string | null | undefined): string | undefined => {
  const t = v?.trim();
  // An empty placeholder renders "", an unknown one stays literally `{{…}}`.
  return t && !/^\{\{.*\}\}$/.test(t) ? t : undefined;
};

const contact = (type: 'email' | 'phone', raw: string | null | undefined): Identity | undefined => {
  const value = present(raw);
  return value ? { type, value } : undefined;
};

const requesterIdentity = (id: string | null | undefined): Identity | undefined => {
  const value = present(id);
  return value && value !== '0' ? { type: 'zendesk', value } : undefined;
};

const typeFor = (created: boolean, status: TicketStatus) =>
  created ? 'ticket.created' : status === 'solved' || status === 'closed' ? 'ticket.solved' : 'ticket.updated';

const summaryFor = (type: string, id: string, subject: string | undefined, status: TicketStatus): string => {
  const what = type === 'ticket.created' ? 'opened' : type === 'ticket.solved' ? status : `updated (${status})`;
  return `Zendesk ticket #${id} ${what}${subject ? `: ${subject}` : ''}`;
};

/**
 * Ticket event types that change what the profile shows of a ticket. Others
 * (comments, followers, attachments, custom fields) change nothing the hub
 * keeps and are listed in `ignored`.
 */
const TICKET_EVENTS = new Set([
  'ticket.created',
  'ticket.status_changed',
  'ticket.custom_status_changed',
  'ticket.priority_changed',
  'ticket.subject_changed',
  'ticket.tags_changed',
]);

const previousStatusOf = (event: unknown): TicketStatus | undefined => {
  if (typeof event !== 'object' || event === null) return undefined;
  const previous = (event as { previous?: unknown }).previous;
  return typeof previous === 'string' ? ticketStatus(previous) : undefined;
};

const currentStatusOf = (event: unknown): string | undefined => {
  if (typeof event !== 'object' || event === null) return undefined;
  const current = (event as { current?: unknown }).current;
  if (typeof current === 'string') return current;
  if (typeof current === 'object' && current !== null) {
    const status = (current as { status?: unknown }).status;
    return typeof status === 'string' ? status : undefined;
  }
  return undefined;
};

const fromEvent = (event: ZendeskEvent, ctx: NormalizeContext): NormalizeResult => {
  const kind = event.type.slice('zen:event-type:'.length);
  if (!TICKET_EVENTS.has(kind)) return { events: [], ignored: [`${kind}: not a ticket change the hub keeps`] };
  const parsed = parseTicketDetail(event.detail);
  if (!parsed.success) return { events: [], ignored: [`${kind}: detail is not a ticket`] };
  const detail: ZendeskTicketDetail = parsed.data;
  const isStatusChange = kind === 'ticket.status_changed';
  const status = ticketStatus(isStatusChange ? (currentStatusOf(event.event) ?? detail.status) : detail.status);
  if (!status) return { events: [], ignored: [`${kind} #${detail.id}: unknown status ${String(detail.status)}`] };
  const type = typeFor(kind === 'ticket.created', status);
  const subject = present(detail.subject);
  const built = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: `event:${event.id}`,
      type,
      channel: 'helpdesk',
      occurredAt: fromDateString(event.time) ?? fromDateString(detail.updated_at),
      identities: [requesterIdentity(detail.requester_id)],
      summary: summaryFor(type, detail.id, subject, status),
      data: {
        ticketId: detail.id,
        status,
        vendorStatus: present(detail.status) ?? undefined,
        previousStatus: isStatusChange ? previousStatusOf(event.event) : undefined,
        subject,
        priority: priorityOf(detail.priority),
        via: present(detail.via?.channel),
        tags: detail.tags?.length ? detail.tags : undefined,
      },
    },
    ctx,
  );
  return built
    ? { events: [built], ignored: [] }
    : { events: [], ignored: [`${kind} #${detail.id}: no requester to attribute it to`] };
};

/** `{{ticket.link}}` renders without a scheme (`example.zendesk.com/agent/tickets/1`). */
const linkOf = (raw: string | null | undefined): string | undefined => {
  const link = present(raw);
  return link && !/^https?:\/\//i.test(link) ? `https://${link}` : link;
};

const tagsOf = (tags: string | readonly string[] | null | undefined): string[] | undefined => {
  const list = (typeof tags === 'string' ? tags.split(/\s+/) : (tags ?? [])).map((t) => t.trim()).filter(Boolean);
  return list.length ? list : undefined;
};

const fromTrigger = (trigger: ZendeskTrigger, bodyDigest: string, ctx: NormalizeContext): NormalizeResult => {
  const { ticket, requester } = trigger;
  const status = ticketStatus(ticket.status);
  if (!status) return { events: [], ignored: [`ticket #${ticket.id}: unknown status ${String(ticket.status)}`] };
  const type = typeFor(present(trigger.event)?.toLowerCase() === 'created', status);
  const subject = present(ticket.subject);
  const rating = present(ticket.satisfaction);
  const score = satisfactionScore(rating);
  const updated = fromDateString(present(ticket.updated_at));
  const built = buildEvent(
    {
      connector: CONNECTOR,
      // One trigger firing = one ticket state; its redeliveries repeat the same body.
      providerEventId: ['ticket', ticket.id, type, updated ?? bodyDigest, status, score ? `csat${score.value}` : '']
        .filter(Boolean)
        .join(':'),
      type,
      channel: 'helpdesk',
      occurredAt: updated ?? fromDateString(present(ticket.created_at)),
      identities: [
        contact('email', requester?.email),
        contact('phone', requester?.phone),
        requesterIdentity(requester?.id),
      ],
      traits: { name: present(requester?.name) },
      summary: summaryFor(type, ticket.id, subject, status),
      data: {
        ticketId: ticket.id,
        status,
        vendorStatus: present(ticket.status),
        subject,
        priority: priorityOf(ticket.priority),
        via: present(ticket.via),
        url: linkOf(ticket.url),
        tags: tagsOf(ticket.tags),
        satisfaction: score && rating ? { rating, comment: present(ticket.satisfaction_comment) } : undefined,
        score,
      },
    },
    ctx,
  );
  return built
    ? { events: [built], ignored: [] }
    : { events: [], ignored: [`ticket #${ticket.id}: no requester email, phone or id`] };
};

export const normalizeZendesk = (delivery: ZendeskDelivery, ctx: NormalizeContext): NormalizeResult =>
  delivery.kind === 'event' ? fromEvent(delivery.event, ctx) : fromTrigger(delivery.trigger, delivery.bodyDigest, ctx);
