/**
 * The customer at a glance: who she is, what she is worth, where she talks to
 * us and whether she agreed to it, what she bought, and what needs care.
 * Every value a vendor sent is rendered as text (Preact text nodes), never as
 * markup or a link.
 */
import { Card, ChannelBadge, Pill } from '../components/ui.js';
import { useCan } from '../context.js';
import { formatDate, formatDateTime, formatMoney, formatNumber } from '../format.js';
import { useI18n } from '../i18n/index.js';
import type { Profile } from '../types.js';
import { AdminActions } from './admin-actions.js';
import { Orders } from './orders.js';

const KEY_TRAITS = ['name', 'firstName', 'lastName', 'language', 'city', 'country', 'company', 'username'];

const Traits = ({ profile }: { profile: Profile }) => {
  const { t, label } = useI18n();
  const entries = Object.entries(profile.traits).filter(([, v]) => v !== null && v !== '');
  entries.sort(([a], [b]) => {
    const ia = KEY_TRAITS.indexOf(a);
    const ib = KEY_TRAITS.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  return (
    <Card title={t('section.traits')}>
      {entries.length ? (
        <dl class="kv">
          {entries.map(([key, value]) => (
            <div key={key}>
              <dt>{label('trait', key)}</dt>
              <dd>{typeof value === 'boolean' ? t(value ? 'common.yes' : 'common.no') : String(value)}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p class="muted">{t('traits.none')}</p>
      )}
    </Card>
  );
};

const Value = ({ profile }: { profile: Profile }) => {
  const { t, locale } = useI18n();
  const c = profile.computed;
  const money = (m: Profile['computed']['lifetimeValue']) => (m ? formatMoney(m, locale) : t('computed.unknown'));
  return (
    <Card title={t('section.computed')}>
      <div class="stats">
        <div class="stat">
          <span class="stat-label">{t('computed.lifetimeValue')}</span>
          <span class="stat-value" data-testid="ltv">
            {money(c.lifetimeValue)}
          </span>
        </div>
        <div class="stat">
          <span class="stat-label">{t('computed.averageOrderValue')}</span>
          <span class="stat-value">{money(c.averageOrderValue)}</span>
        </div>
        <div class="stat">
          <span class="stat-label">{t('computed.orders')}</span>
          <span class="stat-value">{formatNumber(profile.orders.count, locale)}</span>
        </div>
        <div class="stat">
          <span class="stat-label">{t('computed.purchaseFrequency')}</span>
          <span class="stat-value">
            {c.purchaseFrequency === undefined
              ? t('computed.unknown')
              : t('computed.perYear', { value: formatNumber(c.purchaseFrequency, locale) })}
          </span>
        </div>
      </div>
      <dl class="kv">
        <div>
          <dt>{t('computed.netRevenue')}</dt>
          <dd>{money(c.netRevenue)}</dd>
        </div>
        <div>
          <dt>{t('computed.preferredChannel')}</dt>
          <dd>{c.preferredChannel ? <ChannelBadge channel={c.preferredChannel} /> : t('computed.unknown')}</dd>
        </div>
        <div>
          <dt>{t('computed.lastChannel')}</dt>
          <dd>{profile.lastChannel ? <ChannelBadge channel={profile.lastChannel} /> : t('computed.unknown')}</dd>
        </div>
        <div>
          <dt>{t('computed.abandonedCart')}</dt>
          <dd>
            {c.abandonedCart && profile.lastCartAt ? (
              <Pill tone="warn">
                {t('computed.abandonedSince', { date: formatDateTime(profile.lastCartAt, locale) })}
              </Pill>
            ) : (
              t('computed.no')
            )}
          </dd>
        </div>
      </dl>
    </Card>
  );
};

const Channels = ({ profile }: { profile: Profile }) => {
  const { t, locale } = useI18n();
  const rows = Object.entries(profile.channels).sort(([, a], [, b]) => b.lastSeen.localeCompare(a.lastSeen));
  // Consent may be stated for a channel she has not used (an email opt-out from the CRM).
  const consentOnly = Object.keys(profile.consent).filter((c) => !(c in profile.channels));
  return (
    <Card title={t('section.channels')} wide>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">{t('channels.channel')}</th>
            <th scope="col">{t('channels.firstSeen')}</th>
            <th scope="col">{t('channels.lastSeen')}</th>
            <th scope="col" class="num">
              {t('channels.count')}
            </th>
            <th scope="col">{t('channels.consent')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([channel, stats]) => (
            <tr key={channel}>
              <td>
                <ChannelBadge channel={channel} />
              </td>
              <td>{formatDateTime(stats.firstSeen, locale)}</td>
              <td>{formatDateTime(stats.lastSeen, locale)}</td>
              <td class="num">{formatNumber(stats.count, locale)}</td>
              <td>
                <ConsentCell profile={profile} channel={channel} />
              </td>
            </tr>
          ))}
          {consentOnly.map((channel) => (
            <tr key={channel}>
              <td>
                <ChannelBadge channel={channel} />
              </td>
              <td>—</td>
              <td>—</td>
              <td class="num">0</td>
              <td>
                <ConsentCell profile={profile} channel={channel} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
};

const ConsentCell = ({ profile, channel }: { profile: Profile; channel: string }) => {
  const { t, locale } = useI18n();
  const consent = profile.consent[channel];
  if (!consent) return <span class="muted">{t('consent.none')}</span>;
  const status = t(consent.status === 'revoked' ? 'consent.revoked' : 'consent.granted');
  return (
    <span class={`consent consent-${consent.status}`} data-testid={`consent-${channel}`}>
      <Pill tone={consent.status === 'revoked' ? 'bad' : 'ok'}>{status}</Pill>{' '}
      <span class="muted small">
        {t('consent.detail', { date: formatDate(consent.at, locale), source: consent.source })}
        {consent.reason ? ` · ${t('consent.reason', { reason: consent.reason })}` : ''}
      </span>
    </span>
  );
};

const Identities = ({ profile }: { profile: Profile }) => {
  const { t, label } = useI18n();
  return (
    <Card title={t('section.identities')}>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">{t('identities.type')}</th>
            <th scope="col">{t('identities.value')}</th>
            <th scope="col">{t('identities.source')}</th>
          </tr>
        </thead>
        <tbody>
          {profile.identities.map((i) => (
            <tr key={`${i.type}:${i.value}`}>
              <td>{label('identity', i.type)}</td>
              <td>
                <code>{i.value}</code>
              </td>
              <td class="muted">{i.source ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
};

const Warnings = ({ warnings }: { warnings: string[] }) => {
  const { t } = useI18n();
  return (
    <Card title={t('section.warnings')} wide>
      <ul class="warnings">
        {warnings.map((w) => (
          <li key={w}>{w}</li>
        ))}
      </ul>
    </Card>
  );
};

export const Overview = ({ profile, onChanged }: { profile: Profile; onChanged(): void }) => {
  const isAdmin = useCan('admin');
  return (
    <div class="grid">
      {profile.warnings?.length ? <Warnings warnings={profile.warnings} /> : null}
      <div class="columns">
        <Value profile={profile} />
        <Traits profile={profile} />
      </div>
      <Identities profile={profile} />
      <Channels profile={profile} />
      <Orders profile={profile} />
      {isAdmin && <AdminActions profile={profile} onChanged={onChanged} />}
    </div>
  );
};
