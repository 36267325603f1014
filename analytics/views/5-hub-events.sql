-- hub_events: the hub events of the lake, each with the customer it belongs to now (see hub_lake_resolved),
-- erased customers' events left out. Rows are not de-duplicated here: a redelivered event can appear twice,
-- so every metric counts DISTINCT event ids or order keys.
CREATE OR REPLACE VIEW hub_events AS
SELECT
  id,
  dt,
  type,
  connector,
  channel,
  occurred_at,
  resolved_customer_id AS customer_id,
  message_id,
  direction,
  call_id,
  duration_sec,
  wait_sec,
  form_id,
  utm_source,
  utm_medium,
  utm_campaign,
  score_kind,
  score_value,
  order_id,
  total_amount_minor,
  total_currency,
  refunded_amount_minor,
  refunded_currency
FROM hub_lake_resolved
WHERE type NOT IN ('customer.merged', 'customer.unmerged', 'customer.erased', 'customer.reassigned')
  AND NOT erased
