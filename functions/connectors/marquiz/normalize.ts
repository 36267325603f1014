/**
 * Marquiz lead → one `lead.submitted` event. Pure. A lead without a usable
 * phone or email cannot reach a profile and is acknowledged as ignored.
 */
import { createHash } from 'node:crypto';
import { buildEvent, fromDateString, fromUnixMillis, fromUnixSeconds } from '../shared/build-event.js';
import type { NormalizeContext, NormalizeResult } from '../types.js';
import type { MarquizLead } from './schema.js';

const CONNECTOR = 'marquiz';

/**
 * Marquiz sends no lead id, so the dedup key is a hash of what a redelivery
 * repeats verbatim: quiz id, contacts and creation time. Key order in the
 * JSON does not matter; a second genuine submission differs in `created`.
 */
const marquizLeadId = (lead: MarquizLead): string =>
  createHash('sha256')
    .update(
      JSON.stringify([
        lead.quiz?.id ?? null,
        lead.contacts.name ?? null,
        lead.contacts.phone ?? null,
        lead.contacts.email ?? null,
        lead.created ?? null,
      ]),
    )
    .digest('hex');

/** Renders an answer as text: option lists are joined with ", ". */
const answerText = (answer: unknown): string => {
  if (answer === null || answer === undefined) return '';
  if (typeof answer === 'string') return answer;
  if (typeof answer === 'number' || typeof answer === 'boolean') return String(answer);
  if (Array.isArray(answer)) return answer.map(answerText).filter(Boolean).join(', ');
  if (typeof answer === 'object') {
    const { value, text, title } = answer as Record<string, unknown>;
    return answerText(value ?? text ?? title);
  }
  return '';
};

/**
 * `created` as ISO, when it can be read without guessing: unix seconds or
 * milliseconds, or a date-time with an explicit zone. A zone-less string
 * would be read in the server's zone, so it falls back to `receivedAt`.
 */
const parseCreated = (created: string | number | null | undefined): string | undefined => {
  if (created === null || created === undefined) return undefined;
  const text = String(created).trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    return n > 1e12 ? fromUnixMillis(n) : fromUnixSeconds(n);
  }
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(text)) return undefined;
  return fromDateString(text);
};

const orUndefined = (value: string | null | undefined): string | undefined => (value ? value : undefined);

export const normalizeMarquiz = (lead: MarquizLead, ctx: NormalizeContext): NormalizeResult => {
  const utm = lead.extra?.utm;
  const utmData = {
    source: orUndefined(utm?.source),
    medium: orUndefined(utm?.medium),
    campaign: orUndefined(utm?.name),
    content: orUndefined(utm?.content),
    term: orUndefined(utm?.term),
  };
  const hasUtm = Object.values(utmData).some(Boolean);
  const quizName = orUndefined(lead.quiz?.name);
  const result = typeof lead.result === 'string' ? lead.result : lead.result?.title;
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: marquizLeadId(lead),
      type: 'lead.submitted',
      channel: 'web',
      occurredAt: parseCreated(lead.created),
      identities: [
        lead.contacts.phone ? { type: 'phone', value: lead.contacts.phone } : undefined,
        lead.contacts.email ? { type: 'email', value: lead.contacts.email } : undefined,
        // A quiz's optional "Telegram" contact field (@username); links to the chat once she writes.
        lead.contacts.telegram ? { type: 'telegram_username', value: lead.contacts.telegram } : undefined,
      ],
      traits: { name: orUndefined(lead.contacts.name) },
      summary: quizName ? `Quiz «${quizName}» completed` : 'Quiz completed',
      data: {
        formId: lead.quiz?.id !== undefined && lead.quiz.id !== null ? String(lead.quiz.id) : undefined,
        formName: quizName,
        answers: lead.answers.map((a) => ({ question: a.q, answer: answerText(a.a) })),
        result: orUndefined(result),
        utm: hasUtm ? utmData : undefined,
        pageUrl: orUndefined(lead.extra?.href),
        referrer: orUndefined(lead.extra?.referrer),
      },
    },
    ctx,
  );
  return event ? { events: [event], ignored: [] } : { events: [], ignored: ['lead without a usable phone or email'] };
};
