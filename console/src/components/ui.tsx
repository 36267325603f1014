/** Small shared pieces: badges, loading and error states, a copy button. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError } from '../api.js';
import { useI18n } from '../i18n/index.js';

/** A channel as a coloured pill; the colour comes from the stylesheet (`.ch-<channel>`). */
export const ChannelBadge = ({ channel }: { channel: string }) => {
  const { label } = useI18n();
  return <span class={`badge ch ch-${/^[a-z]+$/.test(channel) ? channel : 'other'}`}>{label('channel', channel)}</span>;
};

export const Pill = ({ tone, children }: { tone: 'ok' | 'bad' | 'muted' | 'warn'; children: ComponentChildren }) => (
  <span class={`pill pill-${tone}`}>{children}</span>
);

export const Loading = () => {
  const { t } = useI18n();
  return (
    <p class="muted" role="status">
      {t('common.loading')}
    </p>
  );
};

/** An API failure in words a manager can act on, with a retry. */
export const ErrorBox = ({ error, onRetry }: { error: Error; onRetry?: () => void }) => {
  const { t } = useI18n();
  const message =
    error instanceof ApiError && error.status === 403
      ? t('error.forbidden')
      : error instanceof ApiError && error.status === 0
        ? t('error.network')
        : t('error.generic', { message: error.message });
  return (
    <div class="alert alert-error" role="alert">
      <span>{message}</span>
      {onRetry && (
        <button type="button" class="btn btn-small" onClick={onRetry}>
          {t('error.retry')}
        </button>
      )}
    </div>
  );
};

export const CopyButton = ({ text }: { text: string }) => {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class="btn btn-small btn-ghost"
      onClick={() =>
        navigator.clipboard?.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        })
      }
    >
      {copied ? t('common.copied') : t('common.copy')}
    </button>
  );
};

export const Card = ({ title, children, wide }: { title: string; children: ComponentChildren; wide?: boolean }) => (
  <section class={wide ? 'card card-wide' : 'card'} aria-label={title}>
    <h2>{title}</h2>
    {children}
  </section>
);
