/**
 * Freshdesk tickets → `ticket.created` / `ticket.updated` / `ticket.solved`
 * on the help desk channel. Pure. Freshdesk's statuses map onto the hub's
 * (Zendesk's) vocabulary; satisfaction labels onto CSAT 1–5.
 */
import type { Identity, SurveyScore, TicketStatus } from '../../events/hub-event.js';
import { buildEvent, fromDateString } from '../shared/build-event.js';
import type { NormalizeContext, NormalizeResult } from '../types.js';
import type { FreshdeskDelivery } from './schema.js';

const CONNECTOR = 'freshdesk';

/**
 * Labels as the agent sees them and the API's codes
 * (https://developers.freshdesk.com/api/#ticket_attributes: 2 Open, 3
 * Pending, 4 Resolved, 5 Closed). The two default custom statuses wait on
 * someone: on the customer is pending, on a third party is on hold.
 */
const STATUSES: Readonly<Record<string, TicketStatus>> = {
  '2': 'open',
  '3': 'pending',
  '4': 'solved',
  '5': 'closed',
  open: 'open',
  pending: 'pending',
  resolved: 'solved',
  closed: 'closed',
  'waiting on customer': 'pending',
  'waiting on third party': 'on_hold',
};

export const freshdeskStatus = (raw: string | null | undefined): TicketStatus | undefined =>
  raw ? STATUSES[raw.trim().toLowerCase()] : undefined;

const PRIORITIES: Readonly<Record<string, 'low' | 'normal' | 'high' | 'urgent'>> = {
  '1': 'low',
  '2': 'normal',
  '3': 'high',
  '4': 'urgent',
  low: 'low',
  medium: 'normal',
  high: 'high',
  urgent: 'urgent',
};

/**
 * Freshdesk's satisfaction answers as CSAT: the classic three-point survey
 * (Awesome / Just okay / Not good) as 5 / 3 / 1, the five-point one
 * (Extremely happy … Extremely unhappy) as 5 … 1.
 */
const RATINGS: Readonly<Record<string, SurveyScore['value']>> = {
  awesome: 5,
  'just okay': 3,
  'not good': 1,
  'extremely happy': 5,
  happy: 4,
  neutral: 3,
  unhappy: 2,
  'extremely unhappy': 1,
};

export const freshdeskScore = (rating: string | null | undefined): SurveyScore | undefined => {
  const value = rating ? RATINGS[rating.trim().toLowerCase()] : undefined;
  return value === undefined ? undefined : { kind: 'csat', value };
};

const present = (v: string | null | undefined): string | undefined => {
  const t = v?.trim();
  // An empty placeholder renders "", an unknown one may stay literally `{{…}}`.
  return t && !/^\{\{.*\}\}$/.test(t) ? t : undefined;
};

const identity = (type: Identity['type'], raw: string | null | undefined): Identity | undefined => {
  const value = present(raw);
  return value && value !== '0' ? { type, value } : undefined;
};

export const normalizeFreshdesk = ({ body, bodyDigest }: FreshdeskDelivery, ctx: NormalizeContext): NormalizeResult => {
  const id = body.ticket_id;
  const status = freshdeskStatus(body.status);
  if (!status) return { events: [], ignored: [`ticket #${id}: unknown status ${String(body.status)}`] };
  const created = present(body.event)?.toLowerCase() === 'created';
  const type = created
    ? 'ticket.created'
    : status === 'solved' || status === 'closed'
      ? 'ticket.solved'
      : 'ticket.updated';
  const rating = present(body.satisfaction);
  const score = freshdeskScore(rating);
  const updated = fromDateString(present(body.updated_at));
  const subject = present(body.subject);
  const requester = body.requester;
  const what = type === 'ticket.created' ? 'opened' : type === 'ticket.solved' ? status : `updated (${status})`;
  const tags = present(body.tags)
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const built = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: ['ticket', id, type, updated ?? bodyDigest, status, score ? `csat${score.value}` : '']
        .filter(Boolean)
        .join(':'),
      type,
      channel: 'helpdesk',
      occurredAt: updated ?? fromDateString(present(body.created_at)),
      identities: [
        identity('email', requester?.email),
        identity('phone', requester?.mobile),
        identity('phone', requester?.phone),
        identity('freshdesk', requester?.id),
      ],
      traits: { name: present(requester?.name) },
      summary: `Freshdesk ticket #${id} ${what}${subject ? `: ${subject}` : ''}`,
      data: {
        ticketId: id,
        status,
        vendorStatus: present(body.status),
        subject,
        priority: PRIORITIES[present(body.priority)?.toLowerCase() ?? ''],
        via: present(body.source)?.toLowerCase(),
        url: present(body.url),
        tags: tags?.length ? tags : undefined,
        satisfaction: score && rating ? { rating, comment: present(body.satisfaction_comment) } : undefined,
        score,
      },
    },
    ctx,
  );
  return built
    ? { events: [built], ignored: [] }
    : { events: [], ignored: [`ticket #${id}: no requester email, phone or id`] };
};
