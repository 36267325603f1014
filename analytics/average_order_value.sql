-- average_order_value: the average order per currency, gross and net of refunds, in minor units.
-- Orders as in revenue_by_channel (one per connector + order id, in the bucket of its earliest event, with
-- that event's total). aov_minor = revenue_minor / orders; refunds_minor = refunds of those same orders
-- (order.refunded with the same connector + order id and currency, before :to); net_aov_minor =
-- (revenue_minor - refunds_minor) / orders: the profile's averageOrderValue over the same orders. Both
-- rounded half up to whole minor units. :connector keeps the orders it reported.
WITH orders AS (
  SELECT order_key, ordered_at, amount_minor, currency
  FROM hub_orders
  WHERE ordered_at >= CAST(:from_ts AS TIMESTAMP)
    AND ordered_at < CAST(:to_ts AS TIMESTAMP)
    AND (:connector = '' OR connector = :connector)
),
refund_events AS (
  SELECT
    id,
    min(connector || ':' || order_id) AS order_key,
    min(coalesce(refunded_amount_minor, total_amount_minor)) AS amount_minor,
    min(coalesce(refunded_currency, total_currency)) AS currency
  FROM hub_events
  WHERE type = 'order.refunded' AND dt >= :from_dt AND occurred_at < CAST(:to_ts AS TIMESTAMP)
  GROUP BY id
),
refunds AS (
  SELECT order_key, currency, sum(amount_minor) AS refunded_minor FROM refund_events GROUP BY order_key, currency
),
scoped AS (
  SELECT
    CAST(date_trunc(:granularity, at_timezone(with_timezone(o.ordered_at, 'UTC'), :tz)) AS DATE) AS bucket,
    o.currency,
    o.amount_minor,
    coalesce(r.refunded_minor, 0) AS refunded_minor
  FROM orders o
  LEFT JOIN refunds r ON r.order_key = o.order_key AND r.currency = o.currency
)
SELECT
  bucket,
  currency,
  count(*) AS orders,
  sum(amount_minor) AS revenue_minor,
  floor(CAST(sum(amount_minor) AS DOUBLE) / count(*) + 0.5) AS aov_minor,
  sum(refunded_minor) AS refunds_minor,
  floor(CAST(sum(amount_minor) - sum(refunded_minor) AS DOUBLE) / count(*) + 0.5) AS net_aov_minor
FROM scoped
GROUP BY bucket, currency
