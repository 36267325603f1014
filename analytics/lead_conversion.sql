-- lead_conversion: lead -> purchase conversion per source channel, and the median time to purchase.
-- leads = lead.submitted events in the bucket, by the lead's channel (the source channel); converted = those
-- whose customer has an order event (placed, paid or till purchase) at or after the lead and at most
-- :window_days days later; conversion = converted / leads; median_seconds_to_purchase = median over the
-- converted leads of the time from the lead to the customer's first order event after it. Leads younger
-- than :window_days may still convert. :connector keeps the leads it reported.
WITH leads AS (
  SELECT id, min(occurred_at) AS lead_at, min(customer_id) AS customer_id, min(channel) AS channel
  FROM hub_events
  WHERE type = 'lead.submitted'
    AND dt BETWEEN :from_dt AND :to_dt
    AND occurred_at >= CAST(:from_ts AS TIMESTAMP)
    AND occurred_at < CAST(:to_ts AS TIMESTAMP)
    AND (:connector = '' OR connector = :connector)
  GROUP BY id
),
purchases AS (
  SELECT customer_id, occurred_at AS ordered_at
  FROM hub_events
  WHERE type IN ('order.placed', 'order.paid', 'purchase.completed') AND dt >= :from_dt
),
converted AS (
  SELECT l.id, min(p.ordered_at) AS ordered_at
  FROM leads l
  JOIN purchases p
    ON p.customer_id = l.customer_id
    AND p.ordered_at >= l.lead_at
    AND date_diff('millisecond', l.lead_at, p.ordered_at) <= :window_days * CAST(86400000 AS BIGINT)
  GROUP BY l.id
)
SELECT
  CAST(date_trunc(:granularity, at_timezone(with_timezone(l.lead_at, 'UTC'), :tz)) AS DATE) AS bucket,
  l.channel,
  count(*) AS leads,
  count(c.id) AS converted,
  CAST(count(c.id) AS DOUBLE) / count(*) AS conversion,
  approx_percentile(CAST(date_diff('millisecond', l.lead_at, c.ordered_at) AS DOUBLE) / 1000, 0.5)
    AS median_seconds_to_purchase
FROM leads l
LEFT JOIN converted c ON c.id = l.id
GROUP BY 1, 2
