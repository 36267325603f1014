-- revenue_by_source: orders and revenue per first-touch source and currency, in minor units.
-- Orders as in revenue_by_channel (counted in the bucket of their earliest event). The source of an order is
-- that of its customer's first lead (the earliest lead.submitted): its UTM source, else the lead's channel
-- (e.g. messenger lead ads); '(none)' when the customer had no lead at or before the order. :connector keeps
-- the orders it reported.
WITH order_events AS (
  SELECT connector || ':' || order_id AS order_key, connector, customer_id, occurred_at, total_amount_minor, total_currency
  FROM hub_events
  WHERE type IN ('order.placed', 'order.paid', 'purchase.completed')
    AND dt <= :to_dt
    AND occurred_at < CAST(:to_ts AS TIMESTAMP)
),
orders AS (
  SELECT
    order_key,
    min(occurred_at) AS ordered_at,
    min_by(connector, occurred_at) AS connector,
    min_by(customer_id, occurred_at) AS customer_id,
    min_by(total_amount_minor, occurred_at) AS amount_minor,
    min_by(total_currency, occurred_at) AS currency
  FROM order_events
  GROUP BY order_key
),
first_leads AS (
  SELECT
    customer_id,
    min(occurred_at) AS lead_at,
    min_by(coalesce(nullif(utm_source, ''), channel), occurred_at) AS source
  FROM hub_events
  WHERE type = 'lead.submitted' AND dt <= :to_dt AND occurred_at < CAST(:to_ts AS TIMESTAMP)
  GROUP BY customer_id
)
SELECT
  CAST(date_trunc(:granularity, at_timezone(with_timezone(o.ordered_at, 'UTC'), :tz)) AS DATE) AS bucket,
  CASE WHEN l.lead_at <= o.ordered_at THEN l.source ELSE '(none)' END AS source,
  o.currency,
  count(*) AS orders,
  sum(o.amount_minor) AS revenue_minor
FROM orders o
LEFT JOIN first_leads l ON l.customer_id = o.customer_id
WHERE o.ordered_at >= CAST(:from_ts AS TIMESTAMP) AND (:connector = '' OR o.connector = :connector)
GROUP BY 1, 2, 3
