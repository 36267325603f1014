/**
 * One customer: header (name, id, since, channels) and three tabs: overview,
 * timeline, conversation. A merged-away id loads the survivor and the address
 * is corrected to it.
 */
import { useEffect } from 'preact/hooks';
import { ApiError } from '../api.js';
import { useAsync } from '../components/async.js';
import { ChannelBadge, CopyButton, ErrorBox, Loading } from '../components/ui.js';
import { useApp } from '../context.js';
import { formatDate, formatRelative } from '../format.js';
import { useI18n } from '../i18n/index.js';
import { type CustomerTab, hrefOf, navigate } from '../router.js';
import type { Profile } from '../types.js';
import { Conversation } from './conversation.js';
import { Overview } from './overview.js';
import { Timeline } from './timeline.js';

export const displayName = (profile: Pick<Profile, 'traits'>): string | undefined => {
  const { name, firstName, lastName } = profile.traits;
  if (typeof name === 'string' && name.trim()) return name;
  const full = [firstName, lastName].filter((x) => typeof x === 'string' && x.trim()).join(' ');
  return full || undefined;
};

const TABS: CustomerTab[] = ['overview', 'timeline', 'conversation'];

export const CustomerPage = ({ id, tab }: { id: string; tab: CustomerTab }) => {
  const { api } = useApp();
  const { t, locale, label } = useI18n();
  const [state, reload] = useAsync(() => api.get<Profile>(`/v1/customers/${encodeURIComponent(id)}`), [id]);

  useEffect(() => {
    if (state.status === 'ok' && state.value.customerId !== id)
      navigate({ name: 'customer', id: state.value.customerId, tab }, true);
  }, [state, id, tab]);

  if (state.status === 'loading') return <Loading />;
  if (state.status === 'error')
    return state.error instanceof ApiError && state.error.status === 404 ? (
      <div class="empty" role="status">
        {t('customer.notFound')}
      </div>
    ) : (
      <ErrorBox error={state.error} onRetry={reload} />
    );
  const profile = state.value;
  const name = displayName(profile);
  const channels = Object.keys(profile.channels);

  return (
    <article class="customer" aria-labelledby="customer-name">
      <header class="customer-head">
        <div class="avatar" aria-hidden="true">
          {(name ?? '?').slice(0, 1).toUpperCase()}
        </div>
        <div class="customer-title">
          <h1 id="customer-name">{name ?? t('customer.unnamed')}</h1>
          <p class="muted">
            <span>{t('customer.since', { date: formatDate(profile.firstSeenAt, locale) })}</span>
            {profile.lastInteractionAt && profile.lastChannel && (
              <span>
                {' · '}
                {t('customer.lastSeen', {
                  when: formatRelative(profile.lastInteractionAt, locale, t('time.justNow')),
                  channel: label('channel', profile.lastChannel),
                })}
              </span>
            )}
            <span>
              {' · '}
              {t('customer.events', { count: profile.eventCount })}
            </span>
          </p>
          <p class="customer-id">
            <span class="muted">{t('customer.id')}</span> <code>{profile.customerId}</code>{' '}
            <CopyButton text={profile.customerId} />
            {profile.mergedIds?.length ? (
              <span class="muted"> · {t('customer.merged', { count: profile.mergedIds.length })}</span>
            ) : null}
          </p>
          <div class="chips">
            {channels.map((c) => (
              <ChannelBadge key={c} channel={c} />
            ))}
          </div>
        </div>
      </header>
      <nav class="tabs" aria-label={t('tab.label')}>
        {TABS.map((name) => (
          <a
            key={name}
            href={hrefOf({ name: 'customer', id: profile.customerId, tab: name })}
            class={name === tab ? 'tab active' : 'tab'}
            aria-current={name === tab ? 'page' : undefined}
          >
            {t(`tab.${name}`)}
          </a>
        ))}
      </nav>
      {tab === 'overview' && <Overview profile={profile} onChanged={reload} />}
      {tab === 'timeline' && <Timeline profile={profile} />}
      {tab === 'conversation' && <Conversation profile={profile} />}
    </article>
  );
};
