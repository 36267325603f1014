/**
 * Writing to the customer through the outbound API (issue 12). Before
 * anything is sent the composer asks the hub's dry run,
 * `GET /v1/customers/{id}/reachability?purpose=`, and shows which channel
 * would be used and why, or that none may be and why not (then Send stays
 * disabled). Sending is `POST /v1/customers/{id}/messages` with an
 * idempotency key per draft, so a double click sends once.
 *
 * Where the hub does not serve those routes yet (404/405), the composer is
 * not shown at all: the console never offers what the hub cannot do.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError } from '../api.js';
import { useAsync } from '../components/async.js';
import { ChannelBadge, ErrorBox, Pill } from '../components/ui.js';
import { useApp } from '../context.js';
import { useI18n } from '../i18n/index.js';
import type { Profile, Reachability, ReachabilityChannel } from '../types.js';

const PURPOSES = ['service', 'transactional', 'marketing'] as const;
type Purpose = (typeof PURPOSES)[number];

const reasonsOf = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.map((r) => (typeof r === 'string' ? r : JSON.stringify(r)));
  return typeof value === 'string' ? [value] : [];
};

/** One channel verdict of the outbound API (`ChannelVerdict`): the sentence when there is one, else the codes. */
const verdictOf = (c: Record<string, unknown>): ReachabilityChannel => ({
  channel: String(c.channel),
  allowed: c.allowed === true,
  ...(typeof c.mode === 'string' ? { mode: c.mode } : {}),
  reasons: typeof c.message === 'string' && c.message ? [c.message] : reasonsOf(c.reasons),
});

/**
 * Reads `GET …/reachability` (issue 12, the outbound branch's `Reachability`:
 * `outcome`, `chosen`, and `channels` in the order the hub tries them).
 */
export const parseReachability = (body: unknown): Reachability => {
  const b = (body ?? {}) as Record<string, unknown>;
  const plan = (Array.isArray(b.channels) ? (b.channels as Record<string, unknown>[]) : []).map(verdictOf);
  const chosen = typeof b.chosen === 'string' ? b.chosen : plan.find((c) => c.allowed)?.channel;
  const outcome = typeof b.outcome === 'string' ? b.outcome : chosen ? 'reachable' : 'no_reachable_channel';
  return { outcome, ...(chosen && outcome === 'reachable' ? { channel: chosen } : {}), plan };
};

const newKey = (): string => crypto.randomUUID();

export const Composer = ({ profile, onSent }: { profile: Profile; onSent(): void }) => {
  const { api } = useApp();
  const { t, label } = useI18n();
  const [purpose, setPurpose] = useState<Purpose>('service');
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [outcome, setOutcome] = useState<{ tone: 'ok' | 'bad'; text: string; reasons?: string[] } | undefined>();
  const [idempotencyKey, setIdempotencyKey] = useState(newKey);
  const base = `/v1/customers/${encodeURIComponent(profile.customerId)}`;

  const [reach] = useAsync(async (): Promise<Reachability | 'unavailable'> => {
    try {
      return parseReachability(await api.get(`${base}/reachability?purpose=${purpose}`));
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 405)) return 'unavailable';
      throw err;
    }
  }, [base, purpose]);
  useEffect(() => setOutcome(undefined), [purpose]);

  const chosen = useMemo(
    () => (reach.status === 'ok' && reach.value !== 'unavailable' ? reach.value : undefined),
    [reach],
  );
  if (reach.status === 'ok' && reach.value === 'unavailable') return null;

  const send = async (e: Event) => {
    e.preventDefault();
    if (!text.trim() || !chosen?.channel) return;
    setSending(true);
    try {
      const res = await api.post<{ channel?: string }>(`${base}/messages`, { purpose, text, idempotencyKey });
      setOutcome({
        tone: 'ok',
        text: t('composer.queued', { channel: label('channel', res.channel ?? chosen.channel) }),
      });
      setText('');
      setIdempotencyKey(newKey());
      onSent();
    } catch (err) {
      // 409 no_reachable_channel / 422 template_required carry the verdict per channel.
      const body = err instanceof ApiError ? ((err.body ?? {}) as Record<string, unknown>) : {};
      const error = (body.error ?? {}) as Record<string, unknown>;
      const channels = Array.isArray(error.channels)
        ? (error.channels as Record<string, unknown>[]).map(verdictOf)
        : [];
      setOutcome({
        tone: 'bad',
        text:
          err instanceof ApiError && err.code === 'template_required'
            ? t('composer.templateRequired')
            : (err as Error).message,
        reasons: channels
          .filter((c) => !c.allowed)
          .map((c) => `${label('channel', c.channel)}: ${c.reasons.join('; ')}`),
      });
    } finally {
      setSending(false);
    }
  };

  const refused = chosen?.plan.filter((c) => !c.allowed) ?? [];
  const pick = chosen?.plan.find((c) => c.channel === chosen.channel);
  return (
    <form class="composer" onSubmit={send}>
      <div class="composer-plan" role="status" data-testid="composer-plan">
        {reach.status === 'loading' && <span class="muted">{t('composer.checking')}</span>}
        {reach.status === 'error' && <ErrorBox error={reach.error} />}
        {chosen?.channel && (
          <p>
            <strong>{t('composer.willUse', { channel: label('channel', chosen.channel) })}</strong>{' '}
            <ChannelBadge channel={chosen.channel} />
            {pick?.reasons.length ? (
              <span class="muted small">
                {' '}
                · {t('composer.why')}: {pick.reasons.join('; ')}
              </span>
            ) : null}
          </p>
        )}
        {chosen && !chosen.channel && (
          <p class="refused">
            <Pill tone="bad">{t('composer.refused')}</Pill>
            {chosen.outcome === 'template_required' && <span class="small"> {t('composer.templateRequired')}</span>}
          </p>
        )}
        {refused.length > 0 && (
          <ul class="reasons small">
            {refused.map((c) => (
              <li key={c.channel}>
                <ChannelBadge channel={c.channel} /> {c.reasons.join('; ')}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div class="composer-row">
        <textarea
          aria-label={t('composer.label')}
          placeholder={t('composer.placeholder')}
          rows={3}
          maxLength={4096}
          value={text}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        />
        <div class="composer-side">
          <label>
            <span class="small muted">{t('composer.purpose')}</span>
            <select value={purpose} onChange={(e) => setPurpose((e.target as HTMLSelectElement).value as Purpose)}>
              {PURPOSES.map((p) => (
                <option key={p} value={p}>
                  {t(`composer.purpose.${p}`)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="btn btn-primary" disabled={sending || !text.trim() || !chosen?.channel}>
            {sending ? t('composer.sending') : t('composer.send')}
          </button>
        </div>
      </div>
      {outcome && (
        <div class={outcome.tone === 'ok' ? 'alert alert-info' : 'alert alert-error'} role="status">
          {outcome.text}
          {outcome.reasons?.length ? (
            <ul class="reasons small">
              {outcome.reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          ) : null}
        </div>
      )}
    </form>
  );
};
