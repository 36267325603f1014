-- hub_customer_ltv: the parts of each customer's lifetime value (see ltv_distribution) over all her orders and
-- refunds, over every connector (connector NULL) and per connector (GROUPING SETS): orders, her main currency
-- (most gross revenue, ties: the alphabetically first), gross and refunds in it, her first and last order
-- event, and last_activity_at, her latest order or refund event. For a customer whose last activity is
-- before :to these are her parts as of :to too, so ltv_distribution reads one row for her instead of her
-- history, and computes only the customers active at or after :to from the events. Locally the engine keeps
-- it as a table, updated per customer with the snapshot (and per customer of a touched order).
CREATE OR REPLACE VIEW hub_customer_ltv AS
WITH spans AS (
  SELECT customer_id, connector, min(occurred_at) AS first_at, max(occurred_at) AS last_at
  FROM hub_events
  WHERE type IN ('order.placed', 'order.paid', 'purchase.completed')
  GROUP BY GROUPING SETS ((customer_id, connector), (customer_id))
),
gross AS (
  SELECT
    customer_id,
    connector,
    currency,
    sum(amount_minor) AS gross_minor,
    sum(count(*)) OVER (PARTITION BY customer_id, connector) AS orders,
    row_number() OVER (PARTITION BY customer_id, connector ORDER BY sum(amount_minor) DESC, currency)
      AS rank_in_customer
  FROM hub_orders
  GROUP BY GROUPING SETS ((customer_id, connector, currency), (customer_id, currency))
),
refund_events AS (
  SELECT
    id,
    connector,
    min(customer_id) AS customer_id,
    min(coalesce(refunded_amount_minor, total_amount_minor)) AS amount_minor,
    min(coalesce(refunded_currency, total_currency)) AS currency,
    max(occurred_at) AS refunded_at
  FROM hub_events
  WHERE type = 'order.refunded'
  GROUP BY id, connector
),
refund_scopes AS (
  SELECT customer_id, connector, currency, amount_minor, refunded_at FROM refund_events
  UNION ALL
  SELECT min(customer_id), CAST(NULL AS VARCHAR), min(currency), min(amount_minor), max(refunded_at)
  FROM refund_events
  GROUP BY id
),
refunds AS (
  SELECT customer_id, connector, currency, sum(amount_minor) AS refunded_minor, max(refunded_at) AS refunded_at
  FROM refund_scopes
  GROUP BY customer_id, connector, currency
),
refunded_last AS (
  SELECT customer_id, connector, max(refunded_at) AS refunded_at FROM refunds GROUP BY customer_id, connector
)
SELECT
  g.customer_id,
  g.connector,
  g.orders,
  g.currency,
  g.gross_minor,
  r.refunded_minor,
  s.first_at,
  s.last_at,
  CASE WHEN l.refunded_at > s.last_at THEN l.refunded_at ELSE s.last_at END AS last_activity_at
FROM gross g
JOIN spans s ON s.customer_id = g.customer_id AND coalesce(s.connector, '') = coalesce(g.connector, '')
LEFT JOIN refunds r
  ON r.customer_id = g.customer_id AND coalesce(r.connector, '') = coalesce(g.connector, '') AND r.currency = g.currency
LEFT JOIN refunded_last l ON l.customer_id = g.customer_id AND coalesce(l.connector, '') = coalesce(g.connector, '')
WHERE g.rank_in_customer = 1
