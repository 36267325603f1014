-- repeat_purchase: of the customers who bought for the first time in the bucket, the share who bought again
-- within 180 days.
-- Orders as in revenue_by_channel (hub_orders: one per connector + order id, at its earliest event). new_customers =
-- customers whose first order falls in the bucket; repeat_customers = those with another order at most 180
-- days after the first (orders after :to count, so recent cohorts still grow until they are 180 days old);
-- rate = repeat_customers / new_customers. :connector keeps the orders it reported (first purchase at it).
WITH scoped AS (
  SELECT customer_id, ordered_at FROM hub_orders WHERE :connector = '' OR connector = :connector
),
firsts AS (
  SELECT customer_id, min(ordered_at) AS first_at
  FROM scoped
  GROUP BY customer_id
  HAVING min(ordered_at) >= CAST(:from_ts AS TIMESTAMP) AND min(ordered_at) < CAST(:to_ts AS TIMESTAMP)
),
repeaters AS (
  SELECT DISTINCT f.customer_id
  FROM firsts f
  JOIN scoped o
    ON o.customer_id = f.customer_id
    AND o.ordered_at > f.first_at
    AND date_diff('millisecond', f.first_at, o.ordered_at) <= CAST(180 AS BIGINT) * 86400000
)
SELECT
  CAST(date_trunc(:granularity, at_timezone(with_timezone(f.first_at, 'UTC'), :tz)) AS DATE) AS bucket,
  count(*) AS new_customers,
  count(r.customer_id) AS repeat_customers,
  CAST(count(r.customer_id) AS DOUBLE) / count(*) AS rate
FROM firsts f
LEFT JOIN repeaters r ON r.customer_id = f.customer_id
GROUP BY 1
