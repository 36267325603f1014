-- revenue_by_channel: orders, revenue and refunds per channel and currency, in minor units (no conversion).
-- An order is one connector + order id however many of its events arrive (placed, paid, till receipt; see
-- hub_orders); it counts in the bucket of its earliest event, with that event's channel and total (the
-- profile counts an order once too). refunds_minor = refunds (order.refunded: the refunded amount, else the order total) in
-- the bucket, on the refund's channel; net_minor = revenue_minor - refunds_minor. :connector keeps the
-- orders and refunds it reported.
WITH orders AS (
  SELECT ordered_at, connector, channel, amount_minor, currency
  FROM hub_orders
  WHERE ordered_at >= CAST(:from_ts AS TIMESTAMP) AND ordered_at < CAST(:to_ts AS TIMESTAMP)
),
refunds AS (
  SELECT
    id,
    min(occurred_at) AS refunded_at,
    min(connector) AS connector,
    min(channel) AS channel,
    min(coalesce(refunded_amount_minor, total_amount_minor)) AS amount_minor,
    min(coalesce(refunded_currency, total_currency)) AS currency
  FROM hub_events
  WHERE type = 'order.refunded'
    AND dt BETWEEN :from_dt AND :to_dt
    AND occurred_at >= CAST(:from_ts AS TIMESTAMP)
    AND occurred_at < CAST(:to_ts AS TIMESTAMP)
  GROUP BY id
),
lines AS (
  SELECT
    CAST(date_trunc(:granularity, at_timezone(with_timezone(ordered_at, 'UTC'), :tz)) AS DATE) AS bucket,
    channel, currency, 1 AS orders, amount_minor AS revenue_minor, 0 AS refunds_minor
  FROM orders
  WHERE :connector = '' OR connector = :connector
  UNION ALL
  SELECT
    CAST(date_trunc(:granularity, at_timezone(with_timezone(refunded_at, 'UTC'), :tz)) AS DATE) AS bucket,
    channel, currency, 0 AS orders, 0 AS revenue_minor, amount_minor AS refunds_minor
  FROM refunds
  WHERE :connector = '' OR connector = :connector
)
SELECT
  bucket,
  channel,
  currency,
  sum(orders) AS orders,
  sum(revenue_minor) AS revenue_minor,
  sum(refunds_minor) AS refunds_minor,
  sum(revenue_minor) - sum(refunds_minor) AS net_minor
FROM lines
GROUP BY bucket, channel, currency
