/**
 * Connectors: the webhook URL to paste into each vendor's dashboard, whether
 * its secrets are set, and the last event it delivered — the page an operator
 * opens when "the WhatsApp messages aren't arriving".
 */
import { useAsync } from '../components/async.js';
import { ChannelBadge, CopyButton, ErrorBox, Loading, Pill } from '../components/ui.js';
import { useApp } from '../context.js';
import { formatDateTime, formatRelative } from '../format.js';
import { useI18n } from '../i18n/index.js';
import type { Connector } from '../types.js';

/** Only https links to vendor docs are rendered as links. */
const safeHttps = (url: string): string | undefined => {
  try {
    return new URL(url).protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
};

export const ConnectorsPage = () => {
  const { api } = useApp();
  const { t, label, locale } = useI18n();
  const [state, reload] = useAsync(() => api.get<{ connectors: Connector[] }>('/v1/connectors'), []);
  return (
    <section aria-labelledby="connectors-title">
      <h1 id="connectors-title">{t('connectors.title')}</h1>
      <p class="muted">{t('connectors.intro')}</p>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorBox error={state.error} onRetry={reload} />}
      {state.status === 'ok' && (
        <div class="card card-wide">
          <table class="table connectors">
            <thead>
              <tr>
                <th scope="col">{t('connectors.name')}</th>
                <th scope="col">{t('connectors.webhook')}</th>
                <th scope="col">{t('connectors.status')}</th>
                <th scope="col">{t('connectors.lastEvent')}</th>
              </tr>
            </thead>
            <tbody>
              {state.value.connectors.map((c) => {
                const url = c.webhookUrl ?? `${location.origin}${c.webhookPath}`;
                const docs = safeHttps(c.docsUrl);
                const missing = c.secrets.filter((s) => s.required && !s.configured).map((s) => s.env);
                return (
                  <tr key={c.name} data-connector={c.name}>
                    <td>
                      <strong>{c.displayName}</strong> <ChannelBadge channel={c.channel} />
                      {docs && (
                        <div class="small">
                          <a href={docs} target="_blank" rel="noopener noreferrer">
                            {t('connectors.docs')}
                          </a>
                        </div>
                      )}
                    </td>
                    <td>
                      <code class="url">{url}</code> <CopyButton text={url} />
                    </td>
                    <td>
                      {c.configured ? (
                        <Pill tone="ok">{t('connectors.configured')}</Pill>
                      ) : (
                        <>
                          <Pill tone="bad">{t('connectors.notConfigured')}</Pill>
                          {missing.length > 0 && (
                            <div class="small muted">{t('connectors.missing', { names: missing.join(', ') })}</div>
                          )}
                        </>
                      )}
                    </td>
                    <td>
                      {c.lastEvent ? (
                        <span title={formatDateTime(c.lastEvent.receivedAt, locale)}>
                          {formatRelative(c.lastEvent.receivedAt, locale, t('time.justNow'))}
                          <span class="small muted"> · {label('event', c.lastEvent.type)}</span>
                        </span>
                      ) : (
                        <span class="muted">{t('connectors.never')}</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
};
