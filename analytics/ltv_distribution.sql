-- ltv_distribution: the distribution of customers' lifetime value as of :to, per currency.
-- Each customer with an order before :to gets the profile's lifetimeValue (functions/domain/traits.ts):
-- orders = her distinct orders (connector + order id) in all currencies; her main currency = the one with
-- the most gross revenue (ties: the alphabetically first); net = gross - refunds in that currency;
-- aov = round(net / orders); frequency = orders / max(1, years between her first and last order event,
-- a year being 365.25 days); ltv = round(aov * frequency * :lifespan_years), rounding half up. customers,
-- mean_minor and the p10..p90 quantiles (nearest rank) of ltv per main currency. A snapshot: it ignores
-- :granularity and counts in the bucket holding :to. :connector keeps the orders and refunds it reported.
-- Computed from hub_customer_ltv for the customers whose last order or refund event is before :to (their
-- parts now are their parts as of :to), from the events for the others alone: the same values either way.
WITH scoped AS (
  SELECT * FROM hub_customer_ltv WHERE coalesce(connector, '') = :connector
),
recent AS (
  SELECT customer_id FROM scoped WHERE last_activity_at >= CAST(:to_ts AS TIMESTAMP)
),
order_events AS (
  SELECT customer_id, occurred_at
  FROM hub_events
  WHERE type IN ('order.placed', 'order.paid', 'purchase.completed')
    AND dt <= :to_dt
    AND occurred_at < CAST(:to_ts AS TIMESTAMP)
    AND (:connector = '' OR connector = :connector)
    AND customer_id IN (SELECT customer_id FROM recent)
),
orders AS (
  SELECT customer_id, amount_minor, currency
  FROM hub_orders
  WHERE ordered_at < CAST(:to_ts AS TIMESTAMP)
    AND (:connector = '' OR connector = :connector)
    AND customer_id IN (SELECT customer_id FROM recent)
),
spans AS (
  SELECT customer_id, min(occurred_at) AS first_at, max(occurred_at) AS last_at
  FROM order_events
  GROUP BY customer_id
),
counts AS (
  SELECT customer_id, count(*) AS orders FROM orders GROUP BY customer_id
),
gross AS (
  SELECT
    customer_id,
    currency,
    sum(amount_minor) AS gross_minor,
    row_number() OVER (PARTITION BY customer_id ORDER BY sum(amount_minor) DESC, currency) AS rank_in_customer
  FROM orders
  GROUP BY customer_id, currency
),
refund_events AS (
  SELECT
    id,
    min(customer_id) AS customer_id,
    min(coalesce(refunded_amount_minor, total_amount_minor)) AS amount_minor,
    min(coalesce(refunded_currency, total_currency)) AS currency
  FROM hub_events
  WHERE type = 'order.refunded'
    AND dt <= :to_dt
    AND occurred_at < CAST(:to_ts AS TIMESTAMP)
    AND (:connector = '' OR connector = :connector)
    AND customer_id IN (SELECT customer_id FROM recent)
  GROUP BY id
),
refunds AS (
  SELECT customer_id, currency, sum(amount_minor) AS refunded_minor FROM refund_events GROUP BY customer_id, currency
),
parts AS (
  SELECT g.currency, g.gross_minor, r.refunded_minor, c.orders, s.first_at, s.last_at
  FROM gross g
  JOIN counts c ON c.customer_id = g.customer_id
  JOIN spans s ON s.customer_id = g.customer_id
  LEFT JOIN refunds r ON r.customer_id = g.customer_id AND r.currency = g.currency
  WHERE g.rank_in_customer = 1
  UNION ALL
  SELECT currency, gross_minor, refunded_minor, orders, first_at, last_at
  FROM scoped
  WHERE last_activity_at < CAST(:to_ts AS TIMESTAMP)
),
values_per_customer AS (
  SELECT
    currency,
    floor(CAST(gross_minor - coalesce(refunded_minor, 0) AS DOUBLE) / orders + 0.5) AS aov_minor,
    orders / greatest(1.0, CAST(date_diff('millisecond', first_at, last_at) AS DOUBLE) / 31557600000) AS frequency
  FROM parts
),
ltv AS (
  SELECT currency, floor(aov_minor * frequency * :lifespan_years + 0.5) AS ltv_minor FROM values_per_customer
)
SELECT
  currency,
  count(*) AS customers,
  floor(avg(ltv_minor) + 0.5) AS mean_minor,
  approx_percentile(ltv_minor, 0.1) AS p10_minor,
  approx_percentile(ltv_minor, 0.25) AS p25_minor,
  approx_percentile(ltv_minor, 0.5) AS p50_minor,
  approx_percentile(ltv_minor, 0.75) AS p75_minor,
  approx_percentile(ltv_minor, 0.9) AS p90_minor
FROM ltv
GROUP BY currency
