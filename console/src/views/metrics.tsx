/**
 * Metrics: the channel mix of a period as a stacked bar chart (contacts per
 * channel per day, week or month), with the totals beside it as a table —
 * the same numbers `GET /v1/metrics` gives the CLI and a BI tool. The chart is
 * plain SVG (no chart library, nothing inline for the CSP to refuse); every
 * bar segment carries its number in a `<title>`, and the table is the
 * accessible reading of the chart.
 */
import { useState } from 'preact/hooks';
import { useAsync } from '../components/async.js';
import { ChannelBadge, ErrorBox, Loading } from '../components/ui.js';
import { useApp } from '../context.js';
import { useI18n } from '../i18n/index.js';

type Granularity = 'day' | 'week' | 'month';

interface MixPoint {
  readonly bucket: string;
  readonly contacts: number;
  readonly customers: number;
}
interface MetricsResponse {
  readonly buckets: readonly string[];
  readonly metrics: {
    readonly channel_mix: { readonly series: readonly { key: { channel: string }; points: readonly MixPoint[] }[] };
  };
}

const DAY = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The metrics request of a period of whole UTC days, `to` included. */
const metricsPath = (from: string, to: string, granularity: Granularity): string =>
  `/v1/metrics?${new URLSearchParams({
    from: `${from}T00:00:00Z`,
    to: `${isoDate(Date.parse(`${to}T00:00:00Z`) + DAY)}T00:00:00Z`,
    granularity,
    metric: 'channel_mix',
  })}`;

/** The channel's colour: the console's channel badge text colours, grey for the rest. */
const COLOURS: Readonly<Record<string, string>> = {
  whatsapp: '#0b6b3a',
  telegram: '#0b5c86',
  viber: '#4a37b8',
  messenger: '#0a56b8',
  instagram: '#a3174f',
  phone: '#8a5300',
  email: '#3d4653',
  web: '#4aa8cf',
  crm: '#5b2bb0',
  ecommerce: '#2f9e6e',
  pos: '#b0412e',
  sms: '#7a5c00',
};
const colourOf = (channel: string) => COLOURS[channel] ?? '#6b7480';

const WIDTH = 640;
const HEIGHT = 220;
const AXIS = 28;

const MixChart = ({ data }: { data: MetricsResponse }) => {
  const { t, label } = useI18n();
  const series = data.metrics.channel_mix.series;
  const totals = data.buckets.map((_, i) => series.reduce((sum, s) => sum + (s.points[i]?.contacts ?? 0), 0));
  const max = Math.max(1, ...totals);
  const slot = (WIDTH - AXIS) / Math.max(1, data.buckets.length);
  const bar = Math.max(2, slot * 0.7);
  const scale = (HEIGHT - AXIS) / max;
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={t('metrics.chartLabel', { max: String(max) })}
    >
      <line x1={AXIS} y1={HEIGHT - AXIS} x2={WIDTH} y2={HEIGHT - AXIS} stroke="#c5cad3" />
      <text x={AXIS - 4} y={12} text-anchor="end" font-size="10" fill="#6b7480">
        {max}
      </text>
      {data.buckets.map((bucket, i) => {
        let y = HEIGHT - AXIS;
        const x = AXIS + i * slot + (slot - bar) / 2;
        return (
          <g key={bucket} data-bucket={bucket}>
            {series.map((s) => {
              const n = s.points[i]?.contacts ?? 0;
              if (!n) return null;
              y -= n * scale;
              return (
                <rect
                  key={s.key.channel}
                  data-channel={s.key.channel}
                  data-contacts={n}
                  x={x}
                  y={y}
                  width={bar}
                  height={n * scale}
                  fill={colourOf(s.key.channel)}
                >
                  <title>{`${label('channel', s.key.channel)} · ${bucket}: ${n}`}</title>
                </rect>
              );
            })}
            {(data.buckets.length <= 14 || i % Math.ceil(data.buckets.length / 14) === 0) && (
              <text x={x + bar / 2} y={HEIGHT - AXIS + 14} text-anchor="middle" font-size="10" fill="#6b7480">
                {bucket.slice(5)}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
};

export const MetricsPage = () => {
  const { api } = useApp();
  const { t } = useI18n();
  const [from, setFrom] = useState(() => isoDate(Date.now() - 29 * DAY));
  const [to, setTo] = useState(() => isoDate(Date.now()));
  const [granularity, setGranularity] = useState<Granularity>('day');
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) && from <= to;
  const [state, reload] = useAsync(
    () => (valid ? api.get<MetricsResponse>(metricsPath(from, to, granularity)) : Promise.reject(new Error('range'))),
    [from, to, granularity],
  );
  return (
    <section aria-labelledby="metrics-title">
      <h1 id="metrics-title">{t('metrics.title')}</h1>
      <p class="muted">{t('metrics.intro')}</p>
      <form class="metrics-controls" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('metrics.from')}{' '}
          <input type="date" name="from" value={from} max={to} onChange={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          {t('metrics.to')}{' '}
          <input type="date" name="to" value={to} min={from} onChange={(e) => setTo(e.currentTarget.value)} />
        </label>
        <label>
          {t('metrics.granularity')}{' '}
          <select
            name="granularity"
            value={granularity}
            onChange={(e) => setGranularity(e.currentTarget.value as Granularity)}
          >
            <option value="day">{t('metrics.day')}</option>
            <option value="week">{t('metrics.week')}</option>
            <option value="month">{t('metrics.month')}</option>
          </select>
        </label>
      </form>
      {state.status === 'loading' && <Loading />}
      {state.status === 'error' && <ErrorBox error={state.error} onRetry={reload} />}
      {state.status === 'ok' && (
        <div class="card card-wide">
          <h2>{t('metrics.channelMix')}</h2>
          <MixChart data={state.value} />
          <table class="table metrics-totals">
            <thead>
              <tr>
                <th scope="col">{t('metrics.channel')}</th>
                <th scope="col">{t('metrics.contacts')}</th>
              </tr>
            </thead>
            <tbody>
              {state.value.metrics.channel_mix.series.map((s) => (
                <tr key={s.key.channel} data-channel={s.key.channel}>
                  <td>
                    <svg class="swatch" width="10" height="10" aria-hidden="true">
                      <rect width="10" height="10" fill={colourOf(s.key.channel)} />
                    </svg>{' '}
                    <ChannelBadge channel={s.key.channel} />
                  </td>
                  <td class="num">{s.points.reduce((sum, p) => sum + p.contacts, 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {state.value.metrics.channel_mix.series.length === 0 && <p class="muted">{t('metrics.empty')}</p>}
        </div>
      )}
    </section>
  );
};
