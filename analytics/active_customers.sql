-- active_customers: active and inactive customers as of the last day of each bucket.
-- For the bucket's last local day D (or the day holding :to for the last, partial bucket): active_30 =
-- customers with a contact (as in channel_mix) on one of the 30 local days D-29..D; active_90 likewise over
-- 90 days; known = customers with a contact on or before D; inactive_90 = known - active_90 (seen before,
-- silent for 90 days). Counted from each customer's contact days: a contact on day d keeps her active until
-- day d+29 (d+89) or her next contact day, whichever comes first, so each bucket costs a sum, not a scan.
-- Only contacts from 90 days before the period on can make her active in it (read from :active_dt); when
-- she became known is her first contact (hub_customer_contacts). :connector keeps only its contacts.
WITH contact_days AS (
  SELECT DISTINCT customer_id, CAST(at_timezone(with_timezone(occurred_at, 'UTC'), :tz) AS DATE) AS contact_day
  FROM hub_events
  WHERE dt BETWEEN :active_dt AND :to_dt
    AND occurred_at < CAST(:to_ts AS TIMESTAMP)
    AND type IN (
      'message.received', 'email.received', 'call.completed', 'call.missed', 'lead.submitted', 'form.submitted',
      'callback.requested', 'cart.updated', 'order.placed', 'order.paid', 'purchase.completed'
    )
    AND (type <> 'call.missed' OR direction = 'inbound')
    AND (:connector = '' OR connector = :connector)
),
sequenced AS (
  SELECT contact_day, lead(contact_day) OVER (PARTITION BY customer_id ORDER BY contact_day) AS next_day
  FROM contact_days
),
deltas AS (
  SELECT contact_day AS change_day, 1 AS d30, 1 AS d90, 0 AS d_known FROM sequenced
  UNION ALL
  SELECT CAST(least(contact_day + INTERVAL '30' DAY, coalesce(next_day, contact_day + INTERVAL '30' DAY)) AS DATE),
    -1, 0, 0
  FROM sequenced
  UNION ALL
  SELECT CAST(least(contact_day + INTERVAL '90' DAY, coalesce(next_day, contact_day + INTERVAL '90' DAY)) AS DATE),
    0, -1, 0
  FROM sequenced
  UNION ALL
  SELECT CAST(at_timezone(with_timezone(first_contact_at, 'UTC'), :tz) AS DATE), 0, 0, 1
  FROM hub_customer_contacts
  WHERE first_contact_at < CAST(:to_ts AS TIMESTAMP) AND coalesce(connector, '') = :connector
),
daily AS (  SELECT change_day, sum(d30) AS d30, sum(d90) AS d90, sum(d_known) AS d_known FROM deltas GROUP BY change_day
),
range_days AS (
  SELECT CAST(d AS DATE) AS range_day
  FROM UNNEST(sequence(CAST(:first_day AS DATE), CAST(:last_day AS DATE), INTERVAL '1' DAY)) AS t (d)
),
bucket_ends AS (
  SELECT CAST(date_trunc(:granularity, range_day) AS DATE) AS bucket, max(range_day) AS end_day
  FROM range_days
  GROUP BY 1
)
SELECT
  b.bucket,
  sum(x.d30) AS active_30,
  sum(x.d90) AS active_90,
  sum(x.d_known) AS known,
  sum(x.d_known) - sum(x.d90) AS inactive_90
FROM bucket_ends b
JOIN daily x ON x.change_day <= b.end_day
GROUP BY b.bucket
