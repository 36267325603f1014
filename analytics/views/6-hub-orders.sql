-- hub_orders: one row per order — one connector + vendor order id, however many of its events arrive
-- (order.placed, order.paid, purchase.completed; the profile counts an order once too) — with its earliest
-- event's time, channel, customer and total. The metrics that count orders read this one definition. An
-- order's earliest event before :to is its earliest event at all, so "orders before :to" is
-- `ordered_at < :to` here. Locally the engine keeps it as a table, updated per order key with the snapshot.
CREATE OR REPLACE VIEW hub_orders AS
SELECT
  connector || ':' || order_id AS order_key,
  min(connector) AS connector,
  min(occurred_at) AS ordered_at,
  min_by(channel, occurred_at) AS channel,
  min_by(customer_id, occurred_at) AS customer_id,
  min_by(total_amount_minor, occurred_at) AS amount_minor,
  min_by(total_currency, occurred_at) AS currency
FROM hub_events
WHERE type IN ('order.placed', 'order.paid', 'purchase.completed')
GROUP BY connector || ':' || order_id
