/**
 * Everything that happened with the customer, across channels and merged
 * profiles, newest first: filterable by channel and type, fetched a page of
 * 100 at a time with the API's cursor as the list nears its end, and
 * virtualized so a history of ten thousand entries scrolls like ten.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ConfirmDialog } from '../components/dialog.js';
import { ChannelBadge, ErrorBox } from '../components/ui.js';
import { VirtualList } from '../components/virtual-list.js';
import { useApp } from '../context.js';
import { formatDateTime } from '../format.js';
import { useI18n } from '../i18n/index.js';
import type { Profile, TimelineItem, TimelinePage } from '../types.js';

export const EVENT_TYPES = [
  'message.received',
  'message.sent',
  'message.delivered',
  'message.read',
  'message.failed',
  'call.completed',
  'call.missed',
  'email.received',
  'lead.submitted',
  'form.submitted',
  'callback.requested',
  'cart.updated',
  'order.placed',
  'order.paid',
  'order.refunded',
  'purchase.completed',
  'contact.created',
  'contact.updated',
  'deal.stage_changed',
  'consent.granted',
  'consent.revoked',
];

const PAGE = 100;
const ROW_HEIGHT = 56;

interface Feed {
  readonly items: TimelineItem[];
  readonly cursor?: string;
  readonly done: boolean;
  readonly loading: boolean;
  readonly error?: Error;
}

const EMPTY: Feed = { items: [], done: false, loading: true };

export const Timeline = ({ profile }: { profile: Profile }) => {
  const { api } = useApp();
  const { t, label, locale } = useI18n();
  const [channel, setChannel] = useState('');
  const [type, setType] = useState('');
  const [feed, setFeed] = useState<Feed>(EMPTY);
  const [selected, setSelected] = useState<TimelineItem | undefined>();
  // Answers for an older filter (or customer) are dropped when they arrive late.
  const generation = useRef(0);
  const inFlight = useRef(false);

  const fetchPage = useCallback(
    async (cursor: string | undefined, mine: number) => {
      inFlight.current = true;
      const query = new URLSearchParams({ limit: String(PAGE) });
      if (cursor) query.set('cursor', cursor);
      if (channel) query.set('channel', channel);
      if (type) query.set('type', type);
      try {
        const page = await api.get<TimelinePage>(
          `/v1/customers/${encodeURIComponent(profile.customerId)}/timeline?${query}`,
        );
        if (mine !== generation.current) return;
        setFeed((f) => ({
          items: cursor ? [...f.items, ...page.items] : page.items,
          ...(page.nextCursor ? { cursor: page.nextCursor } : {}),
          done: !page.nextCursor,
          loading: false,
        }));
      } catch (err) {
        if (mine === generation.current) setFeed((f) => ({ ...f, loading: false, error: err as Error }));
      } finally {
        if (mine === generation.current) inFlight.current = false;
      }
    },
    [api, profile.customerId, channel, type],
  );

  useEffect(() => {
    const mine = ++generation.current;
    setFeed(EMPTY);
    void fetchPage(undefined, mine);
  }, [fetchPage]);

  const more = useCallback(() => {
    if (inFlight.current || feed.done || !feed.cursor || feed.error) return;
    setFeed((f) => ({ ...f, loading: true }));
    void fetchPage(feed.cursor, generation.current);
  }, [feed, fetchPage]);

  return (
    <section class="timeline" aria-label={t('tab.timeline')}>
      <form class="filters" aria-label={t('timeline.filters')} onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>{t('timeline.channel')}</span>
          <select
            aria-label={t('timeline.channel')}
            value={channel}
            onChange={(e) => setChannel((e.target as HTMLSelectElement).value)}
          >
            <option value="">{t('timeline.allChannels')}</option>
            {Object.keys(profile.channels).map((c) => (
              <option key={c} value={c}>
                {label('channel', c)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('timeline.type')}</span>
          <select
            aria-label={t('timeline.type')}
            value={type}
            onChange={(e) => setType((e.target as HTMLSelectElement).value)}
          >
            <option value="">{t('timeline.allTypes')}</option>
            {EVENT_TYPES.map((ty) => (
              <option key={ty} value={ty}>
                {label('event', ty)}
              </option>
            ))}
          </select>
        </label>
        <span class="muted small" role="status" data-testid="timeline-count">
          {t('timeline.loaded', { count: feed.items.length })}
        </span>
      </form>
      {feed.error && <ErrorBox error={feed.error} onRetry={() => setFeed((f) => ({ ...f, error: undefined }))} />}
      {!feed.loading && feed.items.length === 0 && !feed.error ? (
        <p class="empty">{t('timeline.empty')}</p>
      ) : (
        <VirtualList
          items={feed.items}
          rowHeight={ROW_HEIGHT}
          label={t('timeline.list')}
          keyOf={(i) => i.eventId}
          onNearEnd={more}
          renderRow={(item) => (
            <button type="button" class="trow" onClick={() => setSelected(item)}>
              <time dateTime={item.occurredAt} class="trow-time">
                {formatDateTime(item.occurredAt, locale)}
              </time>
              <span class="trow-channel">
                <ChannelBadge channel={item.channel} />
              </span>
              <span class="trow-type">{label('event', item.type)}</span>
              <span class="trow-summary">{item.summary}</span>
            </button>
          )}
          footer={
            feed.loading ? (
              <span class="muted">{t('timeline.loading')}</span>
            ) : feed.done && feed.items.length > 0 ? (
              <span class="muted">{t('timeline.end')}</span>
            ) : null
          }
        />
      )}
      {selected && (
        <ConfirmDialog
          title={t('timeline.details')}
          confirmLabel={t('timeline.close')}
          hideCancel
          onConfirm={() => setSelected(undefined)}
          onCancel={() => setSelected(undefined)}
        >
          <dl class="kv">
            <div>
              <dt>{t('timeline.type')}</dt>
              <dd>{label('event', selected.type)}</dd>
            </div>
            <div>
              <dt>{t('timeline.channel')}</dt>
              <dd>
                <ChannelBadge channel={selected.channel} />
              </dd>
            </div>
            <div>
              <dt>{t('timeline.connector')}</dt>
              <dd>{selected.connector}</dd>
            </div>
            <div>
              <dt>{t('timeline.occurredAt')}</dt>
              <dd>{formatDateTime(selected.occurredAt, locale)}</dd>
            </div>
            <div>
              <dt>{t('timeline.receivedAt')}</dt>
              <dd>{formatDateTime(selected.receivedAt, locale)}</dd>
            </div>
          </dl>
          <p class="summary">{selected.summary}</p>
          <pre class="json">{JSON.stringify(selected.data, null, 2)}</pre>
        </ConfirmDialog>
      )}
    </section>
  );
};
