-- revenue_by_source: orders and revenue per first-touch source and currency, in minor units.
-- Orders as in revenue_by_channel (counted in the bucket of their earliest event). The source of an order is
-- that of its customer's first lead (the earliest lead.submitted): its UTM source, else the lead's channel
-- (e.g. messenger lead ads); '(none)' when the customer had no lead at or before the order. :connector keeps
-- the orders it reported.
WITH orders AS (
  SELECT ordered_at, connector, customer_id, amount_minor, currency
  FROM hub_orders
  WHERE ordered_at >= CAST(:from_ts AS TIMESTAMP)
    AND ordered_at < CAST(:to_ts AS TIMESTAMP)
    AND (:connector = '' OR connector = :connector)
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
GROUP BY 1, 2, 3
