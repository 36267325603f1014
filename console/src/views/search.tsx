/**
 * The one search box (accessible name "Search customers") and the results
 * page. The text goes to `POST /v1/search` in the body and is kept in memory
 * only: it never enters the address bar. One match opens the customer.
 */
import { useState } from 'preact/hooks';
import { ApiError } from '../api.js';
import { useApp } from '../context.js';
import { formatRelative } from '../format.js';
import { useI18n } from '../i18n/index.js';
import { hrefOf, navigate } from '../router.js';
import type { SearchMatch } from '../types.js';
import { ChannelBadge, ErrorBox } from '../components/ui.js';

export interface SearchResult {
  readonly query: string;
  readonly matches?: SearchMatch[];
  readonly error?: Error;
}

export const SearchBox = ({ onResult }: { onResult(result: SearchResult): void }) => {
  const { api } = useApp();
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const text = query.trim();
    if (!text) return;
    setBusy(true);
    try {
      const { matches } = await api.post<{ matches: SearchMatch[] }>('/v1/search', { query: text });
      onResult({ query: text, matches });
      const only = matches.length === 1 ? matches[0] : undefined;
      navigate(only ? { name: 'customer', id: only.customerId, tab: 'overview' } : { name: 'home' });
    } catch (err) {
      onResult({ query: text, error: err as Error });
      navigate({ name: 'home' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <search class="search">
      <form onSubmit={submit}>
        <input
          type="search"
          aria-label={t('search.label')}
          placeholder={t('search.placeholder')}
          value={query}
          autocomplete="off"
          spellcheck={false}
          maxLength={320}
          onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {t('search.submit')}
        </button>
      </form>
    </search>
  );
};

const identityText = (matchedBy: string, label: ReturnType<typeof useI18n>['label']): string => {
  const sep = matchedBy.indexOf(':');
  return `${label('identity', matchedBy.slice(0, sep))} ${matchedBy.slice(sep + 1)}`;
};

export const Home = ({ result }: { result: SearchResult | undefined }) => {
  const { t, label, locale } = useI18n();
  if (!result)
    return (
      <div class="welcome">
        <h1>{t('search.welcome')}</h1>
        <p class="lead">{t('search.welcomeText')}</p>
        <ul class="tiles">
          {(
            [
              ['identity.phone', '050 111 22 33 · +380501112233 · 380501112233'],
              ['identity.email', 'olena@example.com'],
              ['search.messenger', 'telegram:123 · whatsapp:380… · @username'],
              ['identity.customerId', 'cus_2c99…'],
            ] as const
          ).map(([key, example]) => (
            <li key={key} class="tile">
              <strong>{t(key)}</strong>
              <code>{example}</code>
            </li>
          ))}
        </ul>
        <p class="muted">{t('search.hint')}</p>
      </div>
    );
  if (result.error) {
    const invalid = result.error instanceof ApiError && result.error.status === 400;
    return invalid ? (
      <div class="empty" role="status">
        <p>{t('search.invalid', { query: result.query })}</p>
        <p class="muted">{t('search.hint')}</p>
      </div>
    ) : (
      <ErrorBox error={result.error} />
    );
  }
  const matches = result.matches ?? [];
  if (!matches.length)
    return (
      <div class="empty" role="status">
        <p>{t('search.none', { query: result.query })}</p>
        <p class="muted">{t('search.hint')}</p>
      </div>
    );
  return (
    <section aria-label={t('search.results', { count: matches.length })}>
      <h1>{t('search.results', { count: matches.length })}</h1>
      <ul class="results">
        {matches.map((m) => (
          <li key={m.customerId}>
            <a href={hrefOf({ name: 'customer', id: m.customerId, tab: 'overview' })} class="result">
              <strong>{m.name ?? t('customer.unnamed')}</strong>
              <span class="muted">{t('search.matchedBy', { identity: identityText(m.matchedBy, label) })}</span>
              <span class="chips">
                {m.channels.map((c) => (
                  <ChannelBadge key={c} channel={c} />
                ))}
              </span>
              {m.lastInteractionAt && (
                <span class="muted">{formatRelative(m.lastInteractionAt, locale, t('time.justNow'))}</span>
              )}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
};
