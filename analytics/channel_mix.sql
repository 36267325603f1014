-- channel_mix: contacts and customers per channel.
-- A contact is something the customer did on a channel: a message or email she sent, a call answered in
-- either direction or an inbound call nobody answered, a lead, survey or callback request, a cart change, an
-- order or till purchase (the placed and paid events of one order are one contact). contacts = distinct
-- contacts in the bucket; customers = distinct customers with at least one. Bucket: the contact's local
-- date in :tz truncated to :granularity (weeks start on Monday); period [from, to); :connector (optional)
-- keeps only contacts that connector reported.
SELECT
  CAST(date_trunc(:granularity, at_timezone(with_timezone(occurred_at, 'UTC'), :tz)) AS DATE) AS bucket,
  channel,
  count(DISTINCT CASE WHEN order_id IS NULL THEN id ELSE 'order:' || connector || ':' || order_id END) AS contacts,
  count(DISTINCT customer_id) AS customers
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
GROUP BY 1, 2
