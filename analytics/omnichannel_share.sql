-- omnichannel_share: the share of active customers who were active on two or more channels.
-- active_customers = customers with at least one contact in the bucket (contacts as in channel_mix);
-- omnichannel_customers = those whose contacts in the bucket span >= 2 distinct channels;
-- share = omnichannel_customers / active_customers. The period of "active on >= 2 channels" is the bucket:
-- ask for granularity=month over one month for the month's figure. :connector keeps only its contacts.
WITH contacts AS (
  SELECT
    CAST(date_trunc(:granularity, at_timezone(with_timezone(occurred_at, 'UTC'), :tz)) AS DATE) AS bucket,
    customer_id,
    channel
  FROM hub_events
  WHERE dt BETWEEN :from_dt AND :to_dt
    AND occurred_at >= CAST(:from_ts AS TIMESTAMP)
    AND occurred_at < CAST(:to_ts AS TIMESTAMP)
    AND type IN (
      'message.received', 'email.received', 'call.completed', 'call.missed', 'lead.submitted', 'form.submitted',
      'callback.requested', 'cart.updated', 'order.placed', 'order.paid', 'purchase.completed'
    )
    AND (type <> 'call.missed' OR direction = 'inbound')
    AND (:connector = '' OR connector = :connector)
),
per_customer AS (
  SELECT bucket, customer_id, count(DISTINCT channel) AS channels FROM contacts GROUP BY bucket, customer_id
)
SELECT
  bucket,
  count(*) AS active_customers,
  count_if(channels >= 2) AS omnichannel_customers,
  CAST(count_if(channels >= 2) AS DOUBLE) / count(*) AS share
FROM per_customer
GROUP BY bucket
