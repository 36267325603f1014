/**
 * Typeform `form_response` → one `lead.submitted` (an email or phone answer
 * is present) or `form.submitted` event. Pure.
 */
import { buildEvent, fromDateString } from '../shared/build-event.js';
import type { Identity } from '../../events/hub-event.js';
import type { NormalizeContext, NormalizeResult } from '../types.js';
import {
  TYPEFORM_FORM_RESPONSE,
  type TypeformAnswer,
  type TypeformFormResponse,
  type TypeformWebhook,
} from './schema.js';

const CONNECTOR = 'typeform';

/**
 * Hidden fields the hub reads (Typeform hidden field names are whatever the
 * form owner declared; these are the names to declare and fill in the form
 * URL, e.g. `…/to/abc#user_id=42&utm_source=fb`). Everything else in
 * `hidden` is ignored.
 */
const TYPEFORM_HIDDEN_FIELDS = {
  email: 'email',
  phone: 'phone',
  /** The website's own user/visitor id → identity `site:<id>` (the id the `site` connector uses). */
  siteUserId: 'user_id',
  /** → trait `name`. */
  name: 'name',
  utm: {
    source: 'utm_source',
    medium: 'utm_medium',
    campaign: 'utm_campaign',
    content: 'utm_content',
    term: 'utm_term',
  },
} as const;

/** Answer types that carry a contact and make the submission a lead. */
const CONTACT_ANSWER_TYPES = new Set(['email', 'phone_number']);

/** The name traits an ordinary question can fill. */
type NameTrait = 'firstName' | 'lastName' | 'name';

/**
 * Question titles (normalized by `normalizeTitle`) that ask the respondent's
 * own name, in the hub's languages and Typeform's defaults. Exact matches
 * only: "Their first name?" on a referral form is somebody else's.
 */
const NAME_TITLES: Readonly<Record<NameTrait, readonly string[]>> = {
  firstName: ['first name', 'firstname', 'given name', 'forename', "ім'я", 'имя'],
  lastName: ['last name', 'lastname', 'surname', 'family name', 'прізвище', 'фамилия'],
  name: [
    'name',
    'full name',
    "ім'я та прізвище",
    "ім'я і прізвище",
    "прізвище та ім'я",
    "прізвище, ім'я",
    "повне ім'я",
    'піб',
    'як до вас звертатися',
    'як вас звати',
    'имя и фамилия',
    'фамилия и имя',
    'фамилия, имя',
    'полное имя',
    'фио',
    'как вас зовут',
    'как к вам обращаться',
  ],
};

/** Field refs a form owner may have set for the same questions (`first_name`, …). */
const NAME_REFS: Readonly<Record<NameTrait, readonly string[]>> = {
  firstName: ['first_name', 'firstname', 'given_name'],
  lastName: ['last_name', 'lastname', 'surname', 'family_name'],
  name: ['name', 'full_name', 'fullname'],
};

/** `subfield_key` of the name parts of Typeform's contact_info block. */
const CONTACT_INFO_NAME_KEYS: Readonly<Record<string, NameTrait>> = { first_name: 'firstName', last_name: 'lastName' };

/** Leading words that only address the respondent ("What is your first name?" → "first name"). */
const ADDRESSING =
  /^(?:what(?:'s| is) your|please (?:enter|type|tell us) your|enter your|type your|your|ваше|ваш|твоє|твоë|твое|ваше повне|ваше полное)\s+/;

/** A title as it is matched: lower case, one apostrophe, no piping, punctuation or addressing words. */
export const normalizeTitle = (title: string): string =>
  title
    .toLowerCase()
    .replace(/\{\{[^}]*\}\}/g, ' ')
    .replace(/[’ʼ`´‘]/g, "'")
    .replace(/[?:*.!«»"“”()]/g, ' ')
    .replace(/\s+/g, ' ')
    // What piping leaves in front: "{{hidden:greeting}}, what is your first name?"
    .replace(/^[\s,;–—-]+/, '')
    .trim()
    .replace(ADDRESSING, '')
    .trim();

const traitOfTitle = (title: string | undefined): NameTrait | undefined => {
  if (!title) return undefined;
  const normalized = normalizeTitle(title);
  return (Object.keys(NAME_TITLES) as NameTrait[]).find((t) => NAME_TITLES[t].includes(normalized));
};

const traitOfRef = (ref: string | undefined): NameTrait | undefined => {
  const normalized = ref?.toLowerCase();
  return normalized
    ? (Object.keys(NAME_REFS) as NameTrait[]).find((t) => NAME_REFS[t].includes(normalized))
    : undefined;
};

type Field = NonNullable<NonNullable<TypeformFormResponse['definition']>['fields']>[number];

/** The definition field an answer belongs to, and the contact_info block around it when it is a sub-field. */
const fieldOf = (response: TypeformFormResponse, answer: TypeformAnswer): { field?: Field; subfieldKey?: string } => {
  const matches = (f: { id?: string; ref?: string }) =>
    f.id === answer.field.id || (answer.field.ref !== undefined && f.ref === answer.field.ref);
  for (const f of response.definition?.fields ?? []) {
    if (matches(f)) return { field: f };
    const sub = f.type === 'contact_info' ? f.properties?.fields?.find(matches) : undefined;
    if (sub) return { field: sub as Field, ...(sub.subfield_key ? { subfieldKey: sub.subfield_key } : {}) };
  }
  return {};
};

/**
 * The respondent's name from ordinary questions: a short-text answer whose
 * question is titled (or ref'd) as a first, last or full name, or the name
 * parts of Typeform's contact_info block. The first answer for a trait wins.
 */
const nameTraits = (response: TypeformFormResponse): Partial<Record<NameTrait, string>> => {
  const out: Partial<Record<NameTrait, string>> = {};
  for (const answer of response.answers ?? []) {
    if (answer.type !== 'text' || !answer.text?.trim()) continue;
    const { field, subfieldKey } = fieldOf(response, answer);
    const trait =
      (subfieldKey ? CONTACT_INFO_NAME_KEYS[subfieldKey] : undefined) ??
      (field && field.type !== undefined && field.type !== 'short_text' ? undefined : traitOfTitle(field?.title)) ??
      traitOfRef(answer.field.ref ?? field?.ref);
    if (trait && out[trait] === undefined) out[trait] = answer.text.trim();
  }
  return out;
};

/** A hidden field's value as a trimmed non-empty string. */
const hiddenText = (hidden: TypeformFormResponse['hidden'], name: string): string | undefined => {
  const value = hidden?.[name];
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  return text ? text : undefined;
};

/** Renders an answer as text whatever its type; multiple choices are joined with ", ". */
const answerText = (answer: TypeformAnswer): string => {
  switch (answer.type) {
    case 'choice':
      return answer.choice?.label ?? answer.choice?.other ?? '';
    case 'choices':
      return [...(answer.choices?.labels ?? []), ...(answer.choices?.other ? [answer.choices.other] : [])].join(', ');
    case 'boolean':
      return answer.boolean === undefined ? '' : answer.boolean ? 'yes' : 'no';
    case 'number':
      return answer.number === undefined ? '' : String(answer.number);
    case 'payment':
      return [answer.payment?.amount, answer.payment?.name].filter(Boolean).join(' ');
    default: {
      // text, email, phone_number, date, url, file_url and future scalar types: the value sits under the type's name.
      const value = (answer as Record<string, unknown>)[answer.type];
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
    }
  }
};

/** The question's title from the form definition, by field id, then ref; the ref or id when the definition lacks it. */
const questionOf = (response: TypeformFormResponse, answer: TypeformAnswer): string => {
  const fields = response.definition?.fields ?? [];
  const field =
    fields.find((f) => f.id === answer.field.id) ??
    (answer.field.ref ? fields.find((f) => f.ref === answer.field.ref) : undefined);
  return field?.title ?? answer.field.ref ?? answer.field.id;
};

/** The contact an email or phone_number answer carries. */
const contactOf = (answer: TypeformAnswer): Identity | undefined =>
  answer.type === 'email' && answer.email
    ? { type: 'email', value: answer.email }
    : answer.type === 'phone_number' && answer.phone_number
      ? { type: 'phone', value: answer.phone_number }
      : undefined;

const normalizeResponse = (response: TypeformFormResponse, ctx: NormalizeContext): NormalizeResult => {
  const answers = response.answers ?? [];
  const { hidden } = response;
  const h = TYPEFORM_HIDDEN_FIELDS;
  const hiddenEmail = hiddenText(hidden, h.email);
  const hiddenPhone = hiddenText(hidden, h.phone);
  const siteUserId = hiddenText(hidden, h.siteUserId);
  const identities: (Identity | undefined)[] = [
    ...answers.map(contactOf),
    hiddenEmail ? { type: 'email', value: hiddenEmail } : undefined,
    hiddenPhone ? { type: 'phone', value: hiddenPhone } : undefined,
    siteUserId ? { type: 'site', value: siteUserId } : undefined,
  ];
  const utm = {
    source: hiddenText(hidden, h.utm.source),
    medium: hiddenText(hidden, h.utm.medium),
    campaign: hiddenText(hidden, h.utm.campaign),
    content: hiddenText(hidden, h.utm.content),
    term: hiddenText(hidden, h.utm.term),
  };
  const score = response.calculated?.score;
  const formName = response.definition?.title;
  const isLead = answers.some((a) => CONTACT_ANSWER_TYPES.has(a.type));
  const event = buildEvent(
    {
      connector: CONNECTOR,
      providerEventId: response.token,
      type: isLead ? 'lead.submitted' : 'form.submitted',
      channel: 'web',
      occurredAt: fromDateString(response.submitted_at),
      identities,
      // A hidden `name` is what the site knows; otherwise what the respondent typed as their name.
      traits: { ...nameTraits(response), ...(hiddenText(hidden, h.name) ? { name: hiddenText(hidden, h.name) } : {}) },
      summary: `${formName ? `Typeform «${formName}»` : 'Typeform'} submitted${score !== undefined ? ` (score ${score})` : ''}`,
      data: {
        formId: response.form_id,
        formName,
        answers: answers.map((a) => ({ question: questionOf(response, a), answer: answerText(a) })),
        result: score !== undefined ? String(score) : undefined,
        utm: Object.values(utm).some(Boolean) ? utm : undefined,
      },
    },
    ctx,
  );
  return event
    ? { events: [event], ignored: [] }
    : {
        events: [],
        ignored: [
          `response ${response.token} has no usable email or phone answer, nor a hidden email, phone or user_id`,
        ],
      };
};

export const normalizeTypeform = (webhook: TypeformWebhook, ctx: NormalizeContext): NormalizeResult =>
  webhook.event_type === TYPEFORM_FORM_RESPONSE && webhook.form_response
    ? normalizeResponse(webhook.form_response, ctx)
    : { events: [], ignored: [`unsupported event_type: ${webhook.event_type}`] };
