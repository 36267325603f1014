/**
 * The last messages in and out across every messenger as one thread (oldest
 * first, as a chat reads), and the composer below it for people who may send.
 * Message texts are vendor input: rendered as text only.
 */
import { useAsync } from '../components/async.js';
import { ChannelBadge, ErrorBox, Loading } from '../components/ui.js';
import { useApp, useCan } from '../context.js';
import { formatDateTime } from '../format.js';
import { useI18n } from '../i18n/index.js';
import type { ConversationMessage, Profile } from '../types.js';
import { Composer } from './composer.js';

export const Conversation = ({ profile }: { profile: Profile }) => {
  const { api } = useApp();
  const { t, locale } = useI18n();
  const maySend = useCan('send');
  const [state, reload] = useAsync(
    () =>
      api.get<{ messages: ConversationMessage[] }>(
        `/v1/customers/${encodeURIComponent(profile.customerId)}/conversation?limit=100`,
      ),
    [profile.customerId],
  );
  return (
    <section class="conversation" aria-label={t('tab.conversation')}>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorBox error={state.error} onRetry={reload} />}
      {state.status === 'ok' &&
        (state.value.messages.length === 0 ? (
          <p class="empty">{t('conversation.empty')}</p>
        ) : (
          <ol class="thread" aria-label={t('conversation.thread')}>
            {state.value.messages.map((m) => (
              <li key={m.eventId} class={`bubble bubble-${m.direction === 'outbound' ? 'out' : 'in'}`}>
                <div class="bubble-meta">
                  <ChannelBadge channel={m.channel} />
                  <span class="sr-only">
                    {t(m.direction === 'outbound' ? 'conversation.outbound' : 'conversation.inbound')}
                  </span>
                  <time dateTime={m.at}>{formatDateTime(m.at, locale)}</time>
                </div>
                <p class="bubble-text" data-testid="message-text">
                  {m.text}
                </p>
              </li>
            ))}
          </ol>
        ))}
      {maySend && <Composer profile={profile} onSent={reload} />}
    </section>
  );
};
