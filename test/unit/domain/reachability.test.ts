/**
 * The reachability rules, rule by rule: order, consent, each vendor's window
 * and opt-in, content, quiet hours, marked-unreachable channels. Profiles
 * are built directly so each row shows exactly the facts its rule reads.
 */
import { describe, expect, it } from 'vitest';
import { applyEvent, emptyProfile, type Profile } from '../../../functions/domain/profile.js';
import {
  addressFor,
  channelOrder,
  customerTimeZone,
  parseQuietHours,
  planReach,
  quietHoursEnd,
  type ChannelVerdict,
  type OutboundChannel,
  type QuietHours,
  type ReachRequest,
} from '../../../functions/domain/reachability/index.js';
import type { Channel, HubEvent, Identity } from '../../../functions/events/hub-event.js';
import { hubEventId } from '../../../functions/events/event-id.js';

const NOW = new Date('2026-11-23T12:00:00.000Z');
const hoursBefore = (h: number): string => new Date(NOW.getTime() - h * 3_600_000).toISOString();

const ALL_IDS: Identity[] = [
  { type: 'whatsapp', value: '380501112233' },
  { type: 'phone', value: '+380501112233' },
  { type: 'telegram', value: '1001' },
  { type: 'viber', value: 'vb-1' },
  { type: 'messenger', value: 'psid-1' },
  { type: 'instagram', value: 'igsid-1' },
  { type: 'email', value: 'olena@example.com' },
];

interface Facts {
  identities?: Identity[];
  inbound?: Partial<Record<Channel, { count: number; hoursAgo: number }>>;
  consent?: Partial<Record<Channel, { status: 'granted' | 'revoked'; hoursAgo: number; reason?: string }>>;
  stated?: Channel;
  unreachable?: Partial<Record<Channel, { hoursAgo: number; code: string }>>;
  traits?: Record<string, string>;
}

const profileWith = (f: Facts = {}): Profile => ({
  ...emptyProfile('cus_1', hoursBefore(1000), NOW.toISOString()),
  identities: f.identities ?? ALL_IDS,
  traits: f.traits ?? {},
  inbound: Object.fromEntries(
    Object.entries(f.inbound ?? {}).map(([c, v]) => [c, { count: v.count, lastAt: hoursBefore(v.hoursAgo) }]),
  ),
  consent: Object.fromEntries(
    Object.entries(f.consent ?? {}).map(([c, v]) => [
      c,
      {
        status: v.status,
        at: hoursBefore(v.hoursAgo),
        source: 'test',
        stamp: hoursBefore(v.hoursAgo),
        ...(v.reason ? { reason: v.reason } : {}),
      },
    ]),
  ),
  ...(f.stated ? { statedPreference: { channel: f.stated, stamp: hoursBefore(500) } } : {}),
  ...(f.unreachable
    ? {
        unreachable: Object.fromEntries(
          Object.entries(f.unreachable).map(([c, v]) => [
            c,
            {
              at: hoursBefore(v.hoursAgo),
              code: v.code,
              reason: 'failed',
              source: 'test',
              stamp: hoursBefore(v.hoursAgo),
            },
          ]),
        ),
      }
    : {}),
});

const OPTIONS = { now: NOW, defaultCountry: 'UA' as const };

const verdict = (profile: Profile, channel: OutboundChannel, request: ReachRequest, options = {}): ChannelVerdict => {
  const found = planReach(profile, request, { ...OPTIONS, ...options }).channels.find((c) => c.channel === channel);
  if (!found) throw new Error(`${channel} missing from the plan`);
  return found;
};

describe('Reachability: order', () => {
  it('stated preference → computed preferred → messengers by her last inbound → SMS → email', () => {
    // Prepare
    const profile = profileWith({
      stated: 'viber',
      inbound: {
        telegram: { count: 9, hoursAgo: 50 },
        instagram: { count: 1, hoursAgo: 2 },
        messenger: { count: 2, hoursAgo: 30 },
      },
    });
    // Act
    const order = channelOrder(profile);
    // Assess
    expect(order).toEqual([
      { channel: 'viber', position: 'stated_preference' },
      { channel: 'telegram', position: 'preferred_channel' },
      { channel: 'instagram', position: 'recent_inbound' },
      { channel: 'messenger', position: 'recent_inbound' },
      { channel: 'whatsapp', position: 'messaging_channel' },
      { channel: 'sms', position: 'sms_fallback' },
      { channel: 'email', position: 'email_fallback' },
    ]);
  });

  it('computed preferred is where she writes most, ties broken by recency; SMS can be it', () => {
    const profile = profileWith({ inbound: { sms: { count: 3, hoursAgo: 10 }, telegram: { count: 3, hoursAgo: 20 } } });
    expect(channelOrder(profile).slice(0, 2)).toEqual([
      { channel: 'sms', position: 'preferred_channel' },
      { channel: 'telegram', position: 'recent_inbound' },
    ]);
  });

  it('a channel to try first (her contact given as a WhatsApp number) goes before every other, by the same rules', () => {
    // Prepare: she writes on Telegram; the quiz asked for her WhatsApp.
    const profile = profileWith({ inbound: { telegram: { count: 4, hoursAgo: 1 } } });
    const request = {
      purpose: 'service' as const,
      content: { text: 'Hi', template: true },
      prefer: 'whatsapp' as const,
    };

    // Act
    const plan = planReach(profile, request, OPTIONS);

    // Assess: WhatsApp first (a template, the window is closed), Telegram next as a fallback
    expect(plan.chosen).toBe('whatsapp');
    expect(plan.channels.slice(0, 2).map((c) => [c.channel, c.reasons[0]])).toEqual([
      ['whatsapp', 'contact_channel'],
      ['telegram', 'preferred_channel'],
    ]);
    expect(plan.channels[0]?.mode).toBe('template');
  });

  it('a channel to try first that she revoked consent for is passed over for the usual order', () => {
    const profile = profileWith({
      inbound: { telegram: { count: 4, hoursAgo: 1 } },
      consent: { whatsapp: { status: 'revoked', hoursAgo: 10 } },
    });
    const plan = planReach(profile, { purpose: 'service', content: { text: 'Hi' }, prefer: 'whatsapp' }, OPTIONS);
    expect(plan.chosen).toBe('telegram');
    expect(plan.channels[0]).toMatchObject({ channel: 'whatsapp', allowed: false });
    expect(plan.channels[0]?.reasons).toContain('consent_revoked');
  });

  it('a stated preference for a non-messaging channel (phone) is not a channel to send on', () => {
    const profile = profileWith({ stated: 'phone', inbound: { telegram: { count: 1, hoursAgo: 1 } } });
    expect(channelOrder(profile)[0]).toEqual({ channel: 'telegram', position: 'preferred_channel' });
  });

  it('chooses the first allowed channel in that order', () => {
    const profile = profileWith({ stated: 'telegram', inbound: { viber: { count: 5, hoursAgo: 1 } } });
    // Telegram is stated but she never wrote to the bot: skipped; Viber is next and allowed.
    const plan = planReach(profile, { purpose: 'service', content: { text: 'Hi' } }, OPTIONS);
    expect(plan.chosen).toBe('viber');
    expect(plan.channels[0]).toMatchObject({
      channel: 'telegram',
      allowed: false,
      reasons: ['stated_preference', 'never_wrote'],
    });
  });
});

describe('Reachability: consent', () => {
  it.each(['service', 'transactional', 'marketing'] as const)('a revoked channel is never used (%s)', (purpose) => {
    const profile = profileWith({
      inbound: { viber: { count: 3, hoursAgo: 1 } },
      consent: { viber: { status: 'revoked', hoursAgo: 0.5, reason: 'unsubscribed' } },
    });
    const v = verdict(profile, 'viber', { purpose, content: { text: 'Hi' } });
    expect(v.allowed).toBe(false);
    expect(v.reasons).toContain('consent_revoked');
    expect(v.message).toContain('unsubscribed');
  });

  it('SMS honours STOP (consent revoked on sms)', () => {
    const profile = profileWith({ consent: { sms: { status: 'revoked', hoursAgo: 3, reason: 'STOP' } } });
    const v = verdict(profile, 'sms', { purpose: 'transactional', content: { text: 'Your order' } });
    expect(v).toMatchObject({ allowed: false, reasons: ['sms_fallback', 'consent_revoked'] });
    expect(v.message).toContain('STOP');
  });

  it('email honours unsubscribes', () => {
    const profile = profileWith({ consent: { email: { status: 'revoked', hoursAgo: 3, reason: 'unsubscribed' } } });
    expect(verdict(profile, 'email', { purpose: 'marketing', content: { text: 'Sale' } }).reasons).toContain(
      'consent_revoked',
    );
  });

  it('silence is not a "no": no consent record still allows SMS and email', () => {
    const profile = profileWith();
    expect(verdict(profile, 'sms', { purpose: 'marketing', content: { text: 'Sale' } }).allowed).toBe(true);
    expect(verdict(profile, 'email', { purpose: 'marketing', content: { text: 'Sale' } }).allowed).toBe(true);
  });

  it('Viber writes only to subscribed users: subscribed by the event or by writing to the bot', () => {
    const none = profileWith();
    const subscribed = profileWith({ consent: { viber: { status: 'granted', hoursAgo: 100 } } });
    const wrote = profileWith({ inbound: { viber: { count: 1, hoursAgo: 400 } } });
    expect(verdict(none, 'viber', { purpose: 'marketing' })).toMatchObject({
      allowed: false,
      reasons: ['messaging_channel', 'not_subscribed'],
    });
    expect(verdict(subscribed, 'viber', { purpose: 'marketing' }).allowed).toBe(true);
    expect(verdict(wrote, 'viber', { purpose: 'service' })).toMatchObject({
      allowed: true,
      reasons: ['preferred_channel', 'subscribed'],
    });
  });
});

describe('Reachability: WhatsApp 24 h customer service window', () => {
  const inWindow = profileWith({ inbound: { whatsapp: { count: 2, hoursAgo: 23 } } });
  const outside = profileWith({ inbound: { whatsapp: { count: 2, hoursAgo: 30 } } });

  it.each([
    ['free text inside the window', inWindow, { text: 'Hi' }, true, 'text', 'within_window'],
    ['free text 30 h after her last message', outside, { text: 'Hi' }, false, undefined, 'template_required'],
    ['a template 30 h after', outside, { text: 'Hi', template: true }, true, 'template', 'template_outside_window'],
    ['only a template inside the window', inWindow, { template: true }, true, 'template', 'within_window'],
  ] as const)('%s', (_name, profile, content, allowed, mode, reason) => {
    const v = verdict(profile, 'whatsapp', { purpose: 'service', content });
    expect(v.allowed).toBe(allowed);
    expect(v.mode).toBe(mode);
    expect(v.reasons[1]).toBe(reason);
  });

  it('marketing goes only as a template, even inside the window', () => {
    expect(verdict(inWindow, 'whatsapp', { purpose: 'marketing', content: { text: 'Sale' } })).toMatchObject({
      allowed: false,
      reasons: ['preferred_channel', 'template_required'],
    });
    expect(
      verdict(inWindow, 'whatsapp', { purpose: 'marketing', content: { text: 'Sale', template: true } }),
    ).toMatchObject({
      allowed: true,
      mode: 'template',
    });
  });

  it('a dry run (no content) outside the window says "templates only"', () => {
    expect(verdict(outside, 'whatsapp', { purpose: 'service' })).toMatchObject({ allowed: true, mode: 'template' });
  });

  it('a plan whose only refusals need a template is template_required (422), else no_reachable_channel (409)', () => {
    const onlyWhatsApp = profileWith({
      identities: [{ type: 'whatsapp', value: '380501112233' }],
      inbound: { whatsapp: { count: 2, hoursAgo: 30 } },
    });
    expect(planReach(onlyWhatsApp, { purpose: 'service', content: { text: 'Hi' } }, OPTIONS).outcome).toBe(
      'template_required',
    );
    const nothing = profileWith({ identities: [{ type: 'telegram', value: '1' }] });
    expect(planReach(nothing, { purpose: 'service', content: { text: 'Hi' } }, OPTIONS).outcome).toBe(
      'no_reachable_channel',
    );
  });
});

describe('Reachability: Messenger and Instagram', () => {
  const recent = profileWith({
    inbound: { messenger: { count: 1, hoursAgo: 5 }, instagram: { count: 1, hoursAgo: 5 } },
  });
  const twoDays = profileWith({
    inbound: { messenger: { count: 1, hoursAgo: 48 }, instagram: { count: 1, hoursAgo: 48 } },
  });
  const tenDays = profileWith({
    inbound: { messenger: { count: 1, hoursAgo: 240 }, instagram: { count: 1, hoursAgo: 240 } },
  });

  it('within 24 h: standard messaging, any purpose', () => {
    expect(verdict(recent, 'messenger', { purpose: 'marketing', content: { text: 'Sale' } })).toMatchObject({
      allowed: true,
      mode: 'text',
      reasons: ['preferred_channel', 'within_window'],
    });
  });

  it('outside 24 h: only with a message tag, never marketing', () => {
    expect(verdict(twoDays, 'messenger', { purpose: 'service', content: { text: 'Reply' } }).reasons[1]).toBe(
      'message_tag_required',
    );
    expect(
      verdict(twoDays, 'messenger', {
        purpose: 'transactional',
        content: { text: 'Shipped', messageTag: 'POST_PURCHASE_UPDATE' },
      }),
    ).toMatchObject({ allowed: true, mode: 'tagged', messageTag: 'POST_PURCHASE_UPDATE' });
    expect(
      verdict(twoDays, 'messenger', { purpose: 'marketing', content: { text: 'Sale', messageTag: 'ACCOUNT_UPDATE' } })
        .reasons[1],
    ).toBe('window_closed');
  });

  it('HUMAN_AGENT is allowed for 7 days after her last message only', () => {
    const request = { purpose: 'service', content: { text: 'An agent replied', messageTag: 'HUMAN_AGENT' } } as const;
    expect(verdict(twoDays, 'instagram', request).allowed).toBe(true);
    expect(verdict(tenDays, 'instagram', request).reasons[1]).toBe('window_closed');
  });

  it('Instagram supports only HUMAN_AGENT', () => {
    expect(
      verdict(twoDays, 'instagram', {
        purpose: 'transactional',
        content: { text: 'Shipped', messageTag: 'POST_PURCHASE_UPDATE' },
      }).reasons[1],
    ).toBe('message_tag_not_allowed');
  });

  it('never wrote: Meta allows no business-initiated message', () => {
    expect(verdict(profileWith(), 'messenger', { purpose: 'service' }).reasons[1]).toBe('never_wrote');
  });
});

describe('Reachability: Telegram', () => {
  it('only if she has written to the bot', () => {
    expect(verdict(profileWith(), 'telegram', { purpose: 'service' }).reasons[1]).toBe('never_wrote');
    expect(
      verdict(profileWith({ inbound: { telegram: { count: 1, hoursAgo: 900 } } }), 'telegram', { purpose: 'service' }),
    ).toMatchObject({ allowed: true, mode: 'text', reasons: ['preferred_channel', 'no_window'] });
  });

  it('not once she blocked the bot (marked unreachable by the 403), until she writes again', () => {
    const blocked = profileWith({
      inbound: { telegram: { count: 1, hoursAgo: 10 } },
      unreachable: { telegram: { hoursAgo: 5, code: '403' } },
    });
    const wroteAgain = profileWith({
      inbound: { telegram: { count: 2, hoursAgo: 1 } },
      unreachable: { telegram: { hoursAgo: 5, code: '403' } },
    });
    expect(verdict(blocked, 'telegram', { purpose: 'service' })).toMatchObject({
      allowed: false,
      reasons: ['preferred_channel', 'marked_unreachable'],
    });
    expect(verdict(wroteAgain, 'telegram', { purpose: 'service' }).allowed).toBe(true);
  });
});

describe('Reachability: channels marked unreachable', () => {
  it('email after a hard bounce is skipped; a later consent grant makes it usable again', () => {
    const bounced = profileWith({ unreachable: { email: { hoursAgo: 10, code: '550' } } });
    const regranted = profileWith({
      unreachable: { email: { hoursAgo: 10, code: '550' } },
      consent: { email: { status: 'granted', hoursAgo: 2 } },
    });
    expect(verdict(bounced, 'email', { purpose: 'transactional', content: { text: 'x' } }).reasons[1]).toBe(
      'marked_unreachable',
    );
    expect(verdict(regranted, 'email', { purpose: 'transactional', content: { text: 'x' } }).allowed).toBe(true);
  });
});

describe('Reachability: addresses, configuration, forcing and fallback', () => {
  it('a channel without an address is refused', () => {
    const profile = profileWith({ identities: [{ type: 'email', value: 'a@example.com' }] });
    expect(verdict(profile, 'sms', { purpose: 'service' }).reasons[1]).toBe('no_address');
  });

  it('WhatsApp is addressed by wa_id first, then a phone; SMS by the phone Twilio saw first', () => {
    const profile = profileWith({
      identities: [
        { type: 'phone', value: '+380501110000' },
        { type: 'phone', value: '+380509990000', source: 'twilio' },
        { type: 'whatsapp', value: '380507770000' },
      ],
    });
    expect(addressFor(profile, 'whatsapp')).toEqual({ type: 'whatsapp', value: '380507770000' });
    expect(addressFor(profile, 'sms')).toEqual({ type: 'phone', value: '+380509990000', source: 'twilio' });
    expect(addressFor({ identities: [{ type: 'phone', value: '+380501110000' }] }, 'whatsapp')?.type).toBe('phone');
  });

  it('a channel without a configured sender is refused', () => {
    const v = verdict(profileWith(), 'sms', { purpose: 'service' }, { enabledChannels: ['email'] });
    expect(v.reasons[1]).toBe('not_configured');
  });

  it('a forced channel is the only candidate and still obeys the rules', () => {
    const profile = profileWith({ inbound: { telegram: { count: 3, hoursAgo: 1 } } });
    const plan = planReach(profile, { purpose: 'service', channel: 'sms', content: { text: 'Hi' } }, OPTIONS);
    expect(plan.chosen).toBe('sms');
    expect(plan.channels.find((c) => c.channel === 'telegram')?.reasons[1]).toBe('not_requested');
    const refused = planReach(
      profileWith({ consent: { sms: { status: 'revoked', hoursAgo: 1 } } }),
      { purpose: 'service', channel: 'sms', content: { text: 'Hi' } },
      OPTIONS,
    );
    expect(refused.outcome).toBe('no_reachable_channel');
  });

  it('excluded (already tried) channels are passed over', () => {
    const profile = profileWith({ inbound: { telegram: { count: 3, hoursAgo: 1 } } });
    const plan = planReach(profile, { purpose: 'service', content: { text: 'Hi' }, exclude: ['telegram'] }, OPTIONS);
    expect(plan.channels[0]?.reasons).toEqual(['preferred_channel', 'already_tried']);
    // WhatsApp needs a template (she never wrote there), Viber a subscription, Meta a first message: SMS.
    expect(plan.chosen).toBe('sms');
  });
});

describe('Reachability: content', () => {
  const telegramCustomer = profileWith({ inbound: { telegram: { count: 1, hoursAgo: 1 } } });

  it('a text over the channel limit refuses that channel (characters and Instagram bytes)', () => {
    const limits = { telegram: { max: 10, unit: 'characters' }, instagram: { max: 10, unit: 'bytes' } } as const;
    expect(
      verdict(
        telegramCustomer,
        'telegram',
        { purpose: 'service', content: { text: '12345678901' } },
        { textLimits: limits },
      ).reasons[1],
    ).toBe('text_too_long');
    const ig = profileWith({ inbound: { instagram: { count: 1, hoursAgo: 1 } } });
    // Six Cyrillic letters are 6 characters but 12 bytes.
    expect(
      verdict(ig, 'instagram', { purpose: 'service', content: { text: 'Привіт' } }, { textLimits: limits }).reasons[1],
    ).toBe('text_too_long');
  });

  it('a template-only message cannot go on a channel that has no templates', () => {
    expect(verdict(telegramCustomer, 'telegram', { purpose: 'service', content: { template: true } }).reasons[1]).toBe(
      'text_required',
    );
  });
});

describe('Reachability: quiet hours', () => {
  const quiet = parseQuietHours('21:00-09:00') as QuietHours;
  // 2026-11-23T20:00Z is 22:00 in Kyiv (UTC+2): inside quiet hours.
  const late = new Date('2026-11-23T20:00:00.000Z');
  const profile = profileWith({ inbound: { telegram: { count: 1, hoursAgo: 1 } } });

  it('defer marketing to the end of quiet hours in her phone country zone', () => {
    const plan = planReach(
      profile,
      { purpose: 'marketing', content: { text: 'Sale' } },
      { ...OPTIONS, now: late, quietHours: quiet },
    );
    expect(plan.chosen).toBe('telegram');
    expect(plan.notBefore).toBe('2026-11-24T07:00:00.000Z');
    expect(plan.timeZone).toEqual({ zone: 'Europe/Kyiv', source: 'phone' });
    expect(plan.channels[0]?.reasons).toContain('quiet_hours');
  });

  it.each(['service', 'transactional'] as const)('never defer %s', (purpose) => {
    const plan = planReach(profile, { purpose, content: { text: 'Hi' } }, { ...OPTIONS, now: late, quietHours: quiet });
    expect(plan.notBefore).toBeUndefined();
  });

  it('outside quiet hours nothing waits; "off" disables them', () => {
    expect(quietHoursEnd(new Date('2026-11-23T10:00:00.000Z'), 'Europe/Kyiv', quiet)).toBeUndefined();
    expect(parseQuietHours('off')).toBeUndefined();
    expect(typeof parseQuietHours('25:00-07:00')).toBe('string');
  });

  it('a window that does not wrap midnight works too (13:00-14:00)', () => {
    const lunch = parseQuietHours('13:00-14:00') as QuietHours;
    expect(quietHoursEnd(new Date('2026-11-23T11:30:00.000Z'), 'Europe/Kyiv', lunch)?.toISOString()).toBe(
      '2026-11-23T12:00:00.000Z',
    );
  });

  it('ends at 09:00 on the wall clock across a DST change (New York, 2026-11-01)', () => {
    // 2026-11-01 01:30 EDT (05:30Z); clocks go back at 02:00; 09:00 EST is 14:00Z.
    expect(quietHoursEnd(new Date('2026-11-01T05:30:00.000Z'), 'America/New_York', quiet)?.toISOString()).toBe(
      '2026-11-01T14:00:00.000Z',
    );
  });

  it('the zone: a timezone trait wins, then the phone country (most populous zone), then the default country', () => {
    expect(customerTimeZone(profileWith({ traits: { timezone: 'Asia/Tokyo' } }), 'UA').zone).toBe('Asia/Tokyo');
    expect(customerTimeZone(profileWith({ identities: [{ type: 'phone', value: '+14155550100' }] }), 'UA')).toEqual({
      zone: 'America/New_York',
      source: 'phone',
      country: 'US',
    });
    expect(customerTimeZone(profileWith({ identities: [{ type: 'phone', value: '+79161234567' }] }), 'UA').zone).toBe(
      'Europe/Moscow',
    );
    expect(customerTimeZone(profileWith({ identities: [{ type: 'email', value: 'a@b.co' }] }), 'PL')).toEqual({
      zone: 'Europe/Warsaw',
      source: 'default-country',
      country: 'PL',
    });
  });
});

describe('Profile: channels marked unreachable', () => {
  const failed = (n: number, channel: Channel, occurredAt: string, unreachable: boolean): HubEvent => ({
    schemaVersion: 1,
    id: hubEventId('telegram', `f${n}`),
    connector: 'telegram',
    providerEventId: `f${n}`,
    type: 'message.failed',
    channel,
    occurredAt,
    receivedAt: occurredAt,
    customer: { identities: [{ type: 'telegram', value: '1001' }], traits: {} },
    summary: 'failed',
    data: {
      messageId: `m${n}`,
      direction: 'outbound',
      contentType: 'text',
      error: { code: '403', message: 'Forbidden: bot was blocked by the user', unreachable },
    },
  });

  it('a failure flagged unreachable marks the channel; other failures do not; the newest wins in any order', () => {
    const base = emptyProfile('cus_1', hoursBefore(10), NOW.toISOString());
    const a = failed(1, 'telegram', hoursBefore(5), true);
    const b = failed(2, 'telegram', hoursBefore(2), true);
    const payloadOnly = failed(3, 'email', hoursBefore(1), false);
    const forward = [a, b, payloadOnly].reduce((p, e) => applyEvent(p, e, NOW.toISOString()), base);
    const backward = [payloadOnly, b, a].reduce((p, e) => applyEvent(p, e, NOW.toISOString()), base);
    expect(forward.unreachable).toEqual(backward.unreachable);
    expect(forward.unreachable?.telegram).toMatchObject({ at: hoursBefore(2), code: '403', source: 'telegram' });
    expect(forward.unreachable?.email).toBeUndefined();
  });
});
